#!/usr/bin/env bash
# One node of the running network, as the fault suite (test/src/fault) and an operator handle it:
#   node.sh kill NAME…    SIGKILL the named nodes at once (a crash: no clean shutdown, pid files
#                         removed); NAME is orderer1..3, operator, bank1, firm1, regulator,
#                         chaincode or evm
#   node.sh start NAME    start one stopped node the way up.sh/deploy.sh do and wait until it is
#                         healthy (an orderer: until the channel has a Raft leader again)
#   node.sh leader        the orderer that leads the channel's Raft cluster now (waits for one)
#   node.sh pid NAME      its pid (exit 1 when it is not running)
# network/up.sh starts every stopped node at once (what comes after a power cut).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$NETWORK_SRC/lib/nodes.sh"

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
known() { case " ${ORDERERS[*]} ${PEER_ORGS[*]} $(chaincode_servers | paste -sd' ' -) evm " in *" $1 "*) return 0 ;; esac; die "no node '$1'"; }

kill_nodes() {
  local n pids=()
  for n in "$@"; do
    known "$n"
    proc_alive "$n" "" || die "$n is not running"
    pids+=("$(cat "$(pidfile "$n")")")
  done
  # One kill(1) for all of them: as close to "at the same instant" as a shell gets.
  kill -KILL "${pids[@]}"
  for n in "$@"; do rm -f "$(pidfile "$n")"; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  say "killed $* (pids ${pids[*]})"
}

start_node() {
  local n=$1
  known "$n"
  case $n in
    orderer*) start_orderer "$n"; wait_healthz "$n" "http://$(node_host "$n"):$(port "$n" 2)"; wait_ordering_ready 60 ;;
    chaincode|chaincode-*) start_chaincode "$(deployed_package_id "$n")" "$n" ;;
    evm) die "the EVM node keeps its chain in memory: restart it with network/up.sh (it deploys the anchor contract again)" ;;
    *) start_peer "$n"; wait_healthz "$n" "http://$(node_host "$n"):$(port "$n" 2)" ;;
  esac
}

# Asked for up to 30 s: just after an orderer came back, the cluster may be between leaders.
leader() {
  local o
  for _ in $(seq 1 150); do
    for o in "${ORDERERS[@]}"; do
      if curl -fsS --max-time 1 "http://$(node_host "$o"):$(port "$o" 2)/metrics" 2>/dev/null |
        grep -q "^consensus_etcdraft_is_leader{channel=\"$CHANNEL\"} 1"; then echo "$o"; return 0; fi
    done
    sleep 0.2
  done
  die "no orderer leads channel $CHANNEL after 30 s"
}

cmd=${1:-}; [ $# -gt 0 ] && shift
case $cmd in
  kill) [ $# -gt 0 ] || usage; kill_nodes "$@" ;;
  start) [ $# -eq 1 ] || usage; start_node "$1" ;;
  leader) leader ;;
  pid) [ $# -eq 1 ] || usage; known "$1"; proc_alive "$1" "" || exit 1; cat "$(pidfile "$1")" ;;
  *) usage ;;
esac
