# shellcheck shell=bash
# Source me after common.sh. The local EVM development chain the evidence anchors on: Hardhat's
# node (the contracts workspace's Hardhat 3, network "node" of contracts/hardhat.config.ts) as a
# native process like the Fabric nodes — pid file $RUN/evm.pid, log $LOGS/evm.log, JSON-RPC on
# 127.0.0.1:PORT_BASE+80 — and EvidenceAnchor deployed once, its address kept in
# $NET/evm/deployment.json with the anchorer's key beside it ($NET/evm/anchorer.key, 0600).
# The chain lives in the node's memory: a restarted node is a fresh chain, and evm_deploy deploys
# the contract again (at the same address: the admin's first transaction creates it).

EVM_DIR=$NET/evm
EVM_DEPLOYMENT=$EVM_DIR/deployment.json
EVM_ANCHORER_KEY=$EVM_DIR/anchorer.key
CONTRACTS_DIR=$ROOT/contracts
evm_port() { port evm 0; }
evm_url() { echo "http://127.0.0.1:$(evm_port)"; }

# Health: the node answers eth_chainId over JSON-RPC.
evm_healthy() {
  curl -fsS --max-time 2 -H 'Content-Type: application/json' \
    --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$(evm_url)" 2>/dev/null | grep -q '"result"'
}

start_evm() {
  local i
  if proc_alive evm "hardhat node"; then say "EVM node already running (pid $(cat "$(pidfile evm)"))"; return 0; fi
  rm -f "$(pidfile evm)"
  check_port_free "$(evm_port)" "EVM node JSON-RPC"
  # shellcheck source=/dev/null
  source "$ROOT/scripts/lib/node-env.sh"
  mkdir -p "$EVM_DIR"
  # The deployment needs the compiled contract; solc-js runs offline (contracts/README.md).
  (cd "$CONTRACTS_DIR" && "$ROOT/node_modules/.bin/hardhat" build --quiet >/dev/null) || die "hardhat build failed in $CONTRACTS_DIR"
  (cd "$CONTRACTS_DIR" && HARDHAT_DISABLE_TELEMETRY_PROMPT=true start_proc evm "$ROOT/node_modules/.bin/hardhat" node \
    --hostname 127.0.0.1 --port "$(evm_port)")
  for i in $(seq 1 300); do
    evm_healthy && break
    proc_alive evm "hardhat node" || die "EVM node exited during start-up; see $LOGS/evm.log"
    sleep 0.2
  done
  evm_healthy || die "EVM node not answering JSON-RPC after 60 s; see $LOGS/evm.log"
  say "started EVM node (pid $(cat "$(pidfile evm)"), JSON-RPC $(evm_url))"
}

# Deploys EvidenceAnchor unless it already answers at the recorded address (contracts/scripts/deploy-anchor.ts).
evm_deploy() {
  # shellcheck source=/dev/null
  source "$ROOT/scripts/lib/node-env.sh"
  (cd "$CONTRACTS_DIR" && node --no-warnings scripts/deploy-anchor.ts --rpc "$(evm_url)" \
    --out "$EVM_DEPLOYMENT" --anchorer-key "$EVM_ANCHORER_KEY") >&2 || die "EvidenceAnchor deployment failed"
}
