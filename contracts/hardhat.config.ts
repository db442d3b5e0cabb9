import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";

/** Must match the exact version of the `solc` npm package in package.json. */
const SOLC_VERSION = "0.8.28";

/**
 * Absolute path of the solc-js (emscripten/WASM) compiler shipped by the `solc` npm package.
 * Hardhat 3 treats a compiler with a `path` as user-provided: it skips the download step
 * entirely and, because soljson.js is not a native binary, runs it as solc-js. The build is
 * therefore fully offline. The `production` build profile inherits `version` and `path`.
 */
const SOLC_JS_PATH = createRequire(import.meta.url).resolve("solc/soljson.js");

/**
 * Block interval of the development node (`hardhat node`, network "node"; network/lib/evm.sh
 * starts it): transactions are still mined at once, and an empty block follows every interval so
 * that an anchor gains confirmations while nothing else happens on the chain.
 */
const NODE_BLOCK_MS = Number(process.env.ECONFIRM_EVM_BLOCK_MS ?? 1000);

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    version: SOLC_VERSION,
    path: SOLC_JS_PATH,
  },
  networks: {
    node: {
      type: "edr-simulated",
      chainType: "l1",
      chainId: 31337,
      mining: { auto: true, interval: NODE_BLOCK_MS },
    },
  },
});
