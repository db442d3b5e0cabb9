# shellcheck shell=bash
# Source me. network_is_up: true when network.json exists and every peer and orderer answers
# its operations /healthz — the same readiness signal the network scripts wait for — and the EVM
# development node answers JSON-RPC with the anchor contract deployed (network/lib/evm.sh).
ECONFIRM_NETWORK_DIR=${ECONFIRM_NETWORK_DIR:-$ECONFIRM_ROOT/.network}
export ECONFIRM_NETWORK_DIR

network_is_up() {
  local descriptor="$ECONFIRM_NETWORK_DIR/network.json" url
  [ -f "$descriptor" ] || return 1
  for url in $(jq -r '(.orgs[].peers[], .orderers[]) | .operationsUrl' "$descriptor"); do
    curl -fsS --max-time 2 "$url/healthz" >/dev/null 2>&1 || return 1
  done
  evm_is_up
}

# The EVM node answers at the JSON-RPC URL of the deployment, and the contract has code there.
evm_is_up() {
  local deployment="$ECONFIRM_NETWORK_DIR/evm/deployment.json" url address
  [ -f "$deployment" ] || return 1
  url=$(jq -r .rpcUrl "$deployment"); address=$(jq -r .address "$deployment")
  curl -fsS --max-time 2 -H 'Content-Type: application/json' \
    --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getCode\",\"params\":[\"$address\",\"latest\"]}" "$url" 2>/dev/null |
    jq -e '.result | length > 2' >/dev/null
}
