# shellcheck shell=bash
# Source me. network_is_up: true when network.json exists and every peer and orderer answers
# its operations /healthz — the same readiness signal the network scripts wait for.
ECONFIRM_NETWORK_DIR=${ECONFIRM_NETWORK_DIR:-$ECONFIRM_ROOT/.network}
export ECONFIRM_NETWORK_DIR

network_is_up() {
  local descriptor="$ECONFIRM_NETWORK_DIR/network.json" url
  [ -f "$descriptor" ] || return 1
  for url in $(jq -r '(.orgs[].peers[], .orderers[]) | .operationsUrl' "$descriptor"); do
    curl -fsS --max-time 2 "$url/healthz" >/dev/null 2>&1 || return 1
  done
}
