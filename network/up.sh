#!/usr/bin/env bash
# Bring the econfirm network up: crypto + genesis block (when absent), 3 Raft orderers and 4 peers
# as native processes, channel "econfirm" joined everywhere, default identities, chaincode
# deployed, $ECONFIRM_NETWORK_DIR/network.json written; beside it the EVM development node with
# EvidenceAnchor deployed ($ECONFIRM_NETWORK_DIR/evm/deployment.json, lib/evm.sh). Safe to run
# again while it is up.
#   up.sh [--consortium]   (or ECONFIRM_CONSORTIUM=full): all 37 banks and 89 firms on the channel
#   up.sh --consortium=<n> (or ECONFIRM_CONSORTIUM=<n>): n banks and firms in the same proportion
#                          (864: 254 banks and 610 firms, the association's platform in 2025)
#   up.sh [--bft]          (or ECONFIRM_CONSENSUS=bft): SmartBFT ordering, 4 orderers of the operator,
#                          Bank1, Bank2 and the regulator (each its own ordering org) instead of 3 Raft ones
#   up.sh --hosts=netns    (or ECONFIRM_HOSTS=netns; as root): each organization's nodes on a host of
#                          their own — network namespace, address, directory (lib/hosts.sh); small
#                          network, Raft
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$NETWORK_SRC/lib/generate.sh"
source "$NETWORK_SRC/lib/identity.sh"
source "$NETWORK_SRC/lib/nodes.sh"
source "$NETWORK_SRC/lib/evm.sh"
source "$NETWORK_SRC/lib/hosts.sh"

# consortium_mode n: the mode name for n member banks and firms (126 is the consortium of "full").
consortium_mode() {
  [[ $1 =~ ^[1-9][0-9]{0,3}$ ]] && [ "$1" -ge 3 ] && [ "$1" -le 2000 ] || die "--consortium=<n>: 3 … 2000 banks and firms"
  if [ "$1" -eq 126 ]; then echo full; else echo "full-$1"; fi
}
mode=small
case ${ECONFIRM_CONSORTIUM:-} in "") ;; full) mode=full ;; *) mode=$(consortium_mode "$ECONFIRM_CONSORTIUM") ;; esac
consensus=raft
case ${ECONFIRM_CONSENSUS:-raft} in raft|bft) consensus=${ECONFIRM_CONSENSUS:-raft} ;; *) die "ECONFIRM_CONSENSUS must be raft or bft" ;; esac
hosts=${ECONFIRM_HOSTS:-local}
for a in "$@"; do
  case $a in
    --consortium) mode=full ;;
    --consortium=*) mode=$(consortium_mode "${a#--consortium=}") ;;
    --bft) consensus=bft ;;
    --hosts=*) hosts=${a#--hosts=} ;;
    *) die "usage: up.sh [--consortium[=<n>]] [--bft] [--hosts=netns]" ;;
  esac
done
case $hosts in
  local) ;;
  netns)
    [ "$mode" = small ] && [ "$consensus" = raft ] || die "--hosts=netns runs the small network with Raft ordering (not --consortium or --bft)"
    [ "$(id -u)" -eq 0 ] || die "--hosts=netns makes network namespaces and mounts: run it as root"
    ;;
  *) die "--hosts must be local or netns, not '$hosts'" ;;
esac
need_binaries
t0=$SECONDS

# The mode is fixed when the crypto material is generated; switching needs a clean slate.
if [ -d "$CRYPTO" ] && [ "$(net_mode)" != "$mode" ]; then
  die "$NET was generated in '$(net_mode)' mode; run network/clean.sh before switching to '$mode'"
fi
if [ -d "$CRYPTO" ] && [ "$(net_consensus)" != "$consensus" ]; then
  die "$NET was generated with $(net_consensus) ordering; run network/clean.sh before switching to $consensus"
fi
if [ -d "$CRYPTO" ] && [ "$(net_hosts)" != "$hosts" ]; then
  die "$NET was generated for hosts '$(net_hosts)'; run network/clean.sh before switching to '$hosts'"
fi
echo "$mode" >"$NET/mode"
echo "$consensus" >"$NET/consensus"
if [ "$hosts" = netns ]; then echo netns >"$NET/hosts-mode"; else rm -f "$NET/hosts-mode"; fi
set_orderers
set_addresses
echo "$PORT_BASE" >"$NET/port-base"

running=0
for n in "${ORDERERS[@]}" "${PEER_ORGS[@]}"; do proc_alive "$n" "$FABRIC_BIN" && running=$((running + 1)); done
if [ "$running" -eq $((${#ORDERERS[@]} + ${#PEER_ORGS[@]})) ]; then
  say "network already up in $NET ($mode mode, $consensus ordering); checking channel and chaincode"
fi

generate_all
if [ "$hosts" = netns ]; then hosts_up; host_materials; fi
for o in "${ORDERERS[@]}"; do start_orderer "$o"; done
for org in "${PEER_ORGS[@]}"; do start_peer "$org"; done
start_evm
for o in "${ORDERERS[@]}"; do wait_healthz "$o" "http://$(node_host "$o"):$(port "$o" 2)"; done
for org in "${PEER_ORGS[@]}"; do wait_healthz "$org" "http://$(node_host "$org"):$(port "$org" 2)"; done
say "all nodes healthy ($((SECONDS - t0)) s)"

# Channel participation API: each orderer joins with the genesis block (no system channel).
for o in "${ORDERERS[@]}"; do
  adm=(-o "$(node_host "$o"):$(port "$o" 1)" --ca-file "$(orderer_tls_ca "$o")"
       --client-cert "$(orderer_admin_tls "$o")/client.crt" --client-key "$(orderer_admin_tls "$o")/client.key")
  # Ask until the admin endpoint answers (200 member, 404 not yet): a restarted orderer may not
  # answer at once, and joining a channel it already has fails ("channel already exists"). Up to
  # 60 s: a BFT orderer restarted under load (integration/bft.test.ts) took over 10 s once.
  status=
  deadline=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$deadline" ]; do
    status=$(osnadmin channel list "${adm[@]}" --channelID "$CHANNEL" 2>/dev/null | sed -n 's/^Status: //p' || true)
    [ -n "$status" ] && break
    sleep 0.5
  done
  case $status in
    200) continue ;;
    404) ;;
    *) die "orderer $o does not answer on its admin endpoint (osnadmin channel list)" ;;
  esac
  # osnadmin exits 0 whatever the HTTP status: only 201 is a join. The genesis block of an
  # 866-org consortium is 4.8 MB, above the orderer's default request limit of 1 MB (413; the
  # limit is raised in lib/nodes.sh) — up.sh said "joined" and then found no Raft leader.
  out=$(osnadmin channel join "${adm[@]}" --channelID "$CHANNEL" --config-block "$NET/channel/$CHANNEL.block" 2>&1) ||
    die "orderer $o could not join $CHANNEL: $out"
  grep -q '^Status: 201' <<<"$out" || die "orderer $o refused to join $CHANNEL: $(tr '\n' ' ' <<<"$out")"
  say "$o joined $CHANNEL"
done
for org in "${PEER_ORGS[@]}"; do
  (
    use_admin "$org"
    # A peer that was just restarted may not answer yet: ask until it does, never guess from a
    # failed call (joining twice answers "ledger already exists").
    channels=$(retry 20 peer channel list) || die "peer $org does not answer 'peer channel list'"
    if grep -x "$CHANNEL" >/dev/null <<<"$channels"; then exit 0; fi
    retry 20 peer channel join -b "$NET/channel/$CHANNEL.block" >/dev/null
    say "peer $org joined $CHANNEL"
  )
done

evm_deploy
wait_ordering_ready 60
mint_default_identities
write_network_json

if [ -f "$CC_DIR/dist/index.js" ]; then
  "$NETWORK_SRC/deploy.sh"
else
  say "WARNING: $CC_DIR/dist/index.js not built (npx tsc -b); chaincode not deployed — run network/deploy.sh later"
fi
say "network up in $((SECONDS - t0)) s ($mode mode, $consensus ordering, $(all_orgs | wc -l) member orgs); descriptor: $NET/network.json"
