#!/usr/bin/env bash
# One org's network link to the ordering service through a TCP proxy (Shopify's toxiproxy, pinned
# in network/toxiproxy-build/, built by network/install-toxiproxy.sh), so that the fault suite can
# cut it and heal it:
#   netcut.sh route ORG    start the proxy (one listener per orderer, API on base+2580, listeners
#                          on base+2581…) and restart ORG's peer so that it reaches the orderers
#                          only through it: its own core.yaml with peer.deliveryclient.addressOverrides
#                          (the block deliverer and the peer's Gateway service, whose broadcast
#                          honours the same overrides); waits until the peer is healthy
#   netcut.sh cut ORG      every byte on ORG's orderer links dropped, both ways (toxiproxy's
#                          timeout toxic with timeout 0): open connections hang, new ones connect
#                          and hang — a partition, not a refusal
#   netcut.sh heal ORG     the toxics removed: bytes flow again (streams that lost bytes break and
#                          the peer dials again)
#   netcut.sh unroute ORG  ORG's peer restarted on its direct links, the proxy stopped
#   netcut.sh status       the proxy's listeners and toxics (toxiproxy's JSON; {} when not running)
# One org at a time. network/down.sh stops the proxy with the rest (its pid file is in run/); a
# routed peer started again by node.sh or up.sh keeps its route while nodes/ORG/netcut/ exists and
# the proxy runs (without the proxy it starts on its direct links).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
refuse_in_hosts_mode netcut.sh
source "$NETWORK_SRC/lib/nodes.sh"

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
TOXIPROXY=$ROOT/.tools/toxiproxy/bin/toxiproxy-server
API=http://127.0.0.1:$((PORT_BASE + 2580))
proxy_port() { echo $((PORT_BASE + 2581 + $(node_index "$1"))); }  # orderer1..4 have indexes 0..2 and 9
proxy_name() { echo "$1-$2"; }                                       # org orderer → bank1-orderer1

peer_org() { has_peer "$1" || die "'$1' runs no peer (one of: ${PEER_ORGS[*]})"; }
api() {  # method path [json] → the answer's body; dies on an HTTP error
  local out
  out=$(curl -sS --max-time 5 -X "$1" -H 'content-type: application/json' ${3:+--data "$3"} -w '\n%{http_code}' "$API$2") ||
    die "toxiproxy's API at $API did not answer $1 $2"
  case ${out##*$'\n'} in 2??) echo "${out%$'\n'*}" ;; *) die "toxiproxy: $1 $2 → ${out##*$'\n'} ${out%$'\n'*}" ;; esac
}
has_proxy() { curl -fsS --max-time 5 -o /dev/null "$API/proxies/$1" 2>/dev/null; }
routed_org() {  # the org whose peer is routed through the proxy now (empty: none)
  local d
  for d in "$NODES"/*/netcut; do
    if [ -f "$d/core.yaml" ]; then basename "$(dirname "$d")"; return 0; fi
  done
}

start_proxy() {
  if proc_alive toxiproxy "$TOXIPROXY"; then return 0; fi
  "$NETWORK_SRC/install-toxiproxy.sh"
  rm -f "$(pidfile toxiproxy)"
  check_port_free "$((PORT_BASE + 2580))" "toxiproxy API"
  start_proc toxiproxy "$TOXIPROXY" -host 127.0.0.1 -port "$((PORT_BASE + 2580))"
  wait_port "$((PORT_BASE + 2580))" 10 || die "toxiproxy did not listen on $API; see $LOGS/toxiproxy.log"
  say "toxiproxy listening on $API (pid $(cat "$(pidfile toxiproxy)"))"
}

route() {
  local org=$1 o cfg=$NODES/$1/netcut overrides=""
  peer_org "$org"
  local other; other=$(routed_org)
  [ -z "$other" ] || [ "$other" = "$org" ] || die "peer $other is routed through the proxy already: netcut.sh unroute $other first"
  start_proxy
  for o in "${ORDERERS[@]}"; do
    has_proxy "$(proxy_name "$org" "$o")" ||
      api POST /proxies "$(jq -nc --arg n "$(proxy_name "$org" "$o")" --arg l "127.0.0.1:$(proxy_port "$o")" --arg u "127.0.0.1:$(port "$o" 0)" \
        '{name: $n, listen: $l, upstream: $u, enabled: true}')" >/dev/null
    overrides+="      - from: 127.0.0.1:$(port "$o" 0)"$'\n'"        to: 127.0.0.1:$(proxy_port "$o")"$'\n'"        caCertsFile: $(orderer_tls_ca "$o")"$'\n'
  done
  # The overrides cannot be given as an environment variable (Fabric reads them with no
  # YAML-string hook, unlike chaincode.externalBuilders): the peer gets a core.yaml of its own, the
  # release's with them filled in, which start_peer uses while it exists.
  mkdir -p "$cfg"
  awk -v add="$overrides" '{ print } /^    addressOverrides:$/ { printf "%s", add }' "$FABRIC_CFG_PATH/core.yaml" >"$cfg/core.yaml.tmp"
  grep -q "to: 127.0.0.1:$(proxy_port orderer1)" "$cfg/core.yaml.tmp" || die "no peer.deliveryclient.addressOverrides in $FABRIC_CFG_PATH/core.yaml"
  mv "$cfg/core.yaml.tmp" "$cfg/core.yaml"
  stop_proc "$org"
  start_peer "$org"
  wait_healthz "$org" "http://127.0.0.1:$(port "$org" 2)"
  say "peer $org reaches the orderers through toxiproxy only ($(for o in "${ORDERERS[@]}"; do printf '%s→%s ' "$(port "$o" 0)" "$(proxy_port "$o")"; done))"
}

cut() {
  local org=$1 o stream
  [ "$(routed_org)" = "$org" ] || die "peer $org is not routed through the proxy: netcut.sh route $org first"
  for o in "${ORDERERS[@]}"; do
    for stream in upstream downstream; do
      api POST "/proxies/$(proxy_name "$org" "$o")/toxics" "$(jq -nc --arg n "cut-$stream" --arg s "$stream" \
        '{name: $n, type: "timeout", stream: $s, toxicity: 1.0, attributes: {timeout: 0}}')" >/dev/null
    done
  done
  say "cut: peer $org ↔ orderers (every byte dropped both ways)"
}

heal() {
  local org=$1 o stream
  [ "$(routed_org)" = "$org" ] || die "peer $org is not routed through the proxy"
  for o in "${ORDERERS[@]}"; do
    for stream in upstream downstream; do
      curl -sS --max-time 5 -o /dev/null -X DELETE "$API/proxies/$(proxy_name "$org" "$o")/toxics/cut-$stream" ||
        die "toxiproxy's API at $API did not answer"
    done
  done
  say "healed: peer $org ↔ orderers"
}

unroute() {
  local org=$1
  peer_org "$org"
  if [ -d "$NODES/$org/netcut" ]; then
    rm -rf "$NODES/$org/netcut"
    stop_proc "$org"
    start_peer "$org"
    wait_healthz "$org" "http://127.0.0.1:$(port "$org" 2)"
  fi
  stop_proc toxiproxy
  say "peer $org reaches the orderers directly again"
}

status() {
  if proc_alive toxiproxy "$TOXIPROXY"; then api GET /proxies; else echo '{}'; fi
}

cmd=${1:-}; [ $# -gt 0 ] && shift
case $cmd in
  route | cut | heal | unroute) [ $# -eq 1 ] || usage; "$cmd" "$1" ;;
  status) status ;;
  *) usage ;;
esac
