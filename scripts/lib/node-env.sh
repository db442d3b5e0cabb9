# shellcheck shell=bash
# Source me. Puts a Node >= 22.13 on PATH: the system's when new enough, otherwise a
# project-local Node 24 from the npm registry's `node` package (Hardhat 3 and
# @hyperledger/fabric-gateway refuse older runtimes).
ECONFIRM_ROOT=${ECONFIRM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
NODE_TOOLS_DIR="$ECONFIRM_ROOT/.tools/node"
NODE_PINNED_MAJOR=24

node_is_recent() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=13)?0:1)'
}

if [ -x "$NODE_TOOLS_DIR/node_modules/node/bin/node" ]; then
  PATH="$NODE_TOOLS_DIR/node_modules/node/bin:$PATH"
elif ! node_is_recent; then
  command -v npm >/dev/null 2>&1 || { echo "econfirm: npm is needed to bootstrap Node $NODE_PINNED_MAJOR" >&2; return 1; }
  echo "econfirm: system Node is $(node --version 2>/dev/null || echo missing); installing Node $NODE_PINNED_MAJOR into .tools/node" >&2
  mkdir -p "$NODE_TOOLS_DIR"
  npm install --no-save --no-package-lock --prefix "$NODE_TOOLS_DIR" "node@$NODE_PINNED_MAJOR" >&2 || return 1
  PATH="$NODE_TOOLS_DIR/node_modules/node/bin:$PATH"
fi
export PATH
