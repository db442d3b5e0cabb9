/**
 * Deploys EvidenceAnchor once on an EVM JSON-RPC endpoint and keeps its address:
 *
 *   node scripts/deploy-anchor.ts --rpc <url> --out <deployment.json> --anchorer-key <file>
 *
 * The admin key comes from ECONFIRM_EVM_ADMIN_KEY; without it, and only on the local development
 * chain (chain id 31337), the node's first well-known development account deploys. The anchorer
 * key is read from `--anchorer-key` (created, mode 0600, when absent): that account gets
 * ANCHORER_ROLE — the admin itself is not an anchorer — and, on the development chain, some ether.
 *
 * Running it again is a no-op while the contract answers at the recorded address with the anchorer
 * still holding its role. The development node keeps its chain in memory: after it restarts, the
 * contract is deployed again, and since the admin's first transaction on a fresh chain creates it,
 * at the same address.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";

import { Contract, ContractFactory, JsonRpcProvider, parseEther, Wallet } from "ethers";

/** Hardhat's first development account (the "test test … junk" mnemonic): public knowledge. */
const DEV_ADMIN_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const DEV_CHAIN_ID = 31337n;

interface Deployment {
  format: "econfirm-evm-deployment/1";
  chainId: string;
  rpcUrl: string;
  contract: "EvidenceAnchor";
  address: string;
  deploymentTx: string;
  deploymentBlock: number;
  admin: string;
  anchorer: string;
  anchorerKeyFile: string;
}

const { values } = parseArgs({
  options: { rpc: { type: "string" }, out: { type: "string" }, "anchorer-key": { type: "string" } },
});
if (!values.rpc || !values.out || !values["anchorer-key"]) {
  console.error("usage: node scripts/deploy-anchor.ts --rpc <url> --out <deployment.json> --anchorer-key <file>");
  process.exit(2);
}
const rpcUrl = values.rpc;
const outFile = path.resolve(values.out);
const anchorerKeyFile = path.resolve(values["anchorer-key"]);

const artifactFile = createRequire(import.meta.url).resolve("../artifacts/contracts/EvidenceAnchor.sol/EvidenceAnchor.json");
const artifact = JSON.parse(readFileSync(artifactFile, "utf8")) as { abi: unknown[]; bytecode: string };

const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
const chainId = (await provider.getNetwork()).chainId;

function anchorerWallet(): Wallet {
  if (existsSync(anchorerKeyFile)) return new Wallet(readFileSync(anchorerKeyFile, "utf8").trim(), provider);
  const created = Wallet.createRandom();
  mkdirSync(path.dirname(anchorerKeyFile), { recursive: true });
  writeFileSync(anchorerKeyFile, `${created.privateKey}\n`, { mode: 0o600 });
  return new Wallet(created.privateKey, provider);
}

async function stillDeployed(anchorer: string): Promise<Deployment | undefined> {
  if (!existsSync(outFile)) return undefined;
  const previous = JSON.parse(readFileSync(outFile, "utf8")) as Deployment;
  if (previous.chainId !== chainId.toString() || previous.anchorer !== anchorer) return undefined;
  if ((await provider.getCode(previous.address)) === "0x") return undefined;
  const contract = new Contract(previous.address, artifact.abi as never, provider);
  const role = (await contract.getFunction("ANCHORER_ROLE")()) as string;
  return (await contract.getFunction("hasRole")(role, anchorer)) ? previous : undefined;
}

const adminKey = process.env.ECONFIRM_EVM_ADMIN_KEY ?? (chainId === DEV_CHAIN_ID ? DEV_ADMIN_KEY : undefined);
if (!adminKey) {
  console.error(`chain ${chainId} is not the development chain: set ECONFIRM_EVM_ADMIN_KEY to the deploying admin's key`);
  process.exit(2);
}
const admin = new Wallet(adminKey, provider);
const anchorer = anchorerWallet();

const kept = await stillDeployed(anchorer.address);
if (kept) {
  console.log(`EvidenceAnchor already deployed at ${kept.address} on chain ${kept.chainId}`);
  process.exit(0);
}

const factory = new ContractFactory(artifact.abi as never, artifact.bytecode, admin);
const contract = await factory.deploy(admin.address);
const deployed = await contract.waitForDeployment();
const deploymentTx = contract.deploymentTransaction();
const receipt = deploymentTx ? await deploymentTx.wait() : null;
if (!deploymentTx || !receipt) throw new Error("the deployment transaction has no receipt");
const address = await deployed.getAddress();

if (chainId === DEV_CHAIN_ID && (await provider.getBalance(anchorer.address)) < parseEther("1")) {
  await (await admin.sendTransaction({ to: anchorer.address, value: parseEther("100") })).wait();
}
const anchor = new Contract(address, artifact.abi as never, admin);
const role = (await anchor.getFunction("ANCHORER_ROLE")()) as string;
await ((await anchor.getFunction("grantRole")(role, anchorer.address)) as { wait(): Promise<unknown> }).wait();

const deployment: Deployment = {
  format: "econfirm-evm-deployment/1",
  chainId: chainId.toString(),
  rpcUrl,
  contract: "EvidenceAnchor",
  address,
  deploymentTx: deploymentTx.hash,
  deploymentBlock: receipt.blockNumber,
  admin: admin.address,
  anchorer: anchorer.address,
  anchorerKeyFile,
};
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(`${outFile}.tmp`, `${JSON.stringify(deployment, null, 2)}\n`);
renameSync(`${outFile}.tmp`, outFile);
console.log(`EvidenceAnchor deployed at ${address} on chain ${chainId} (block ${receipt.blockNumber}); anchorer ${anchorer.address}`);
