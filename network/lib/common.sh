# shellcheck shell=bash
# Source me. Names, paths, ports and small helpers shared by every network/ script.
# Everything the network writes lives under $NET (ECONFIRM_NETWORK_DIR, default <repo>/.network).

NETWORK_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$NETWORK_SRC")
NET=${ECONFIRM_NETWORK_DIR:-$ROOT/.network}
mkdir -p "$NET"
NET=$(cd "$NET" && pwd)   # absolute: the paths end up in network.json
# The port base is fixed by up.sh in $NET/port-base: later scripts (identity.sh, deploy.sh …) run
# without ECONFIRM_PORT_BASE must not rewrite network.json with the default ports.
PORT_BASE=${ECONFIRM_PORT_BASE:-$(cat "$NET/port-base" 2>/dev/null || echo 7050)}
FABRIC_BIN=${FABRIC_BIN:-$ROOT/.fabric/bin}
# Node defaults (core.yaml/orderer.yaml) from the same release as the binaries: an official
# release tarball has config/ beside bin/, install-fabric.sh puts them in .fabric/config.
if [ -z "${FABRIC_CFG_PATH:-}" ]; then
  if [ -f "$FABRIC_BIN/../config/core.yaml" ]; then FABRIC_CFG_PATH=$(cd "$FABRIC_BIN/../config" && pwd)
  else FABRIC_CFG_PATH=$ROOT/.fabric/config; fi
fi
export FABRIC_CFG_PATH
PATH=$FABRIC_BIN:$PATH
export PATH

CHANNEL=econfirm
CC_NAME=econfirm
DOMAIN=econfirm.net
CC_DIR=${ECONFIRM_CHAINCODE_DIR:-$ROOT/chaincode}
LOG_SPEC=${ECONFIRM_LOG_SPEC:-INFO}
# The Go garbage collector's target of peers and orderers (GOGC: heap may grow to 1 + GOGC/100
# times what is live before a collection). Go's default, 100, lets an idle peer that carried load
# sit at twice its live heap; 50 trades some GC CPU for a fifth less resident memory (issue 18,
# README "The whole small stack at idle", measured by npm run bench:gateway -w test).
FABRIC_GOGC=${ECONFIRM_FABRIC_GOGC:-50}
# Two of the four orgs that run peers must endorse: no single org can write state alone, and
# one peer org may be down. MSP-only consortium members never appear here, so the policy stays
# satisfiable with 124 peerless orgs on the channel (a channel MAJORITY policy would not be).
ENDORSEMENT_POLICY="OutOf(2,'OperatorMSP.peer','Bank1MSP.peer','Firm1MSP.peer','RegulatorMSP.peer')"

CRYPTO=$NET/crypto
RUN=$NET/run       # pid files
LOGS=$NET/logs     # one log per node
NODES=$NET/nodes   # ledgers
IDS=$NET/identities

PEER_ORGS=(operator bank1 firm1 regulator)

# --- ordering: "raft" (3 orderers of one ordering org) or "bft" (SmartBFT: 4 orderers, each run by
# a different institution under its own ordering MSP, so no one of them can censor or forge the order)
net_consensus() { cat "$NET/consensus" 2>/dev/null || echo raft; }
set_orderers() {
  if [ "$(net_consensus)" = bft ]; then ORDERERS=(orderer1 orderer2 orderer3 orderer4)
  else ORDERERS=(orderer1 orderer2 orderer3); fi
}
set_orderers

say() { echo "econfirm-net: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

need_binaries() {
  local t
  for t in peer orderer configtxgen configtxlator cryptogen osnadmin; do
    [ -x "$FABRIC_BIN/$t" ] || die "no $FABRIC_BIN/$t: run network/install-fabric.sh (or set FABRIC_BIN)"
  done
  [ -f "$FABRIC_CFG_PATH/core.yaml" ] || die "no core.yaml in $FABRIC_CFG_PATH: run network/install-fabric.sh"
}

# --- mode: "small" (4 peer orgs and a second bank), "full" (consortium: 37 banks, 89 firms) or
# "full-<n>" (up.sh --consortium=<n>: n banks and firms) ---------------------------------------
net_mode() { cat "$NET/mode" 2>/dev/null || echo small; }
# The small network's second bank (Bank2MSP) runs no peer, like a consortium member: it transacts
# through the operator's peer, and gives the demo a second bank to finance at (issue 13).
all_orgs() {
  local i
  local banks=2 firms=1 mode n
  mode=$(net_mode)
  case $mode in
    full) banks=37 firms=89 ;;
    # full-<n>: n banks and firms as the 37 : 89 of the first consortium (864 → 254 + 610)
    full-*) n=${mode#full-}; banks=$(((n * 37 + 63) / 126)); [ "$banks" -ge 2 ] || banks=2; firms=$((n - banks)) ;;
  esac
  echo operator
  for i in $(seq 1 "$banks"); do echo "bank$i"; done
  for i in $(seq 1 "$firms"); do echo "firm$i"; done
  echo regulator
  # Members added to the running channel by a config update (network/org.sh add), in join order.
  cat "$NET/added-orgs" 2>/dev/null || true
}

# --- names ------------------------------------------------------------------------------------
org_msp() { echo "${1^}MSP"; }                  # bank7 -> Bank7MSP
org_kind() { echo "${1%%[0-9]*}"; }             # bank7 -> bank
org_institution() { echo "${1^^}"; }            # bank7 -> BANK7
org_domain() { echo "$1.$DOMAIN"; }
org_dir() { echo "$CRYPTO/peerOrganizations/$1.$DOMAIN"; }
org_ca_cert() { echo "$(org_dir "$1")/ca/ca.$1.$DOMAIN-cert.pem"; }
org_ca_key() { echo "$(org_dir "$1")/ca/priv_sk"; }
org_admin_msp() { echo "$(org_dir "$1")/users/Admin@$1.$DOMAIN/msp"; }
has_peer() { case " ${PEER_ORGS[*]} " in *" $1 "*) return 0 ;; esac; return 1; }
peer_name() { echo "peer0.$1.$DOMAIN"; }
peer_dir() { echo "$(org_dir "$1")/peers/$(peer_name "$1")"; }
peer_tls_ca() { echo "$(org_dir "$1")/tlsca/tlsca.$1.$DOMAIN-cert.pem"; }
# Who runs each orderer. Raft: the one ordering org "orderer" (OrdererMSP). BFT: orderer1 the
# operator, orderer2 and orderer3 two banks, orderer4 the regulator — each an ordering org of its own
# (<Org>OrdererMSP, its own CA and TLS CA, domain orderer.<org>.econfirm.net).
BFT_ORDERER_ORGS=(operator bank1 bank2 regulator)
orderer_org() {  # orderer -> the key of the institution that runs it (raft: "orderer")
  if [ "$(net_consensus)" != bft ]; then echo orderer; return; fi
  case $1 in orderer1) echo operator ;; orderer2) echo bank1 ;; orderer3) echo bank2 ;; orderer4) echo regulator ;;
    *) die "no orderer '$1' in BFT mode" ;; esac
}
orderer_domain() { local org; org=$(orderer_org "$1"); if [ "$org" = orderer ]; then echo "orderer.$DOMAIN"; else echo "orderer.$org.$DOMAIN"; fi; }
orderer_msp() { local org; org=$(orderer_org "$1"); if [ "$org" = orderer ]; then echo OrdererMSP; else echo "${org^}OrdererMSP"; fi; }
orderer_org_dir() { echo "$CRYPTO/ordererOrganizations/$(orderer_domain "$1")"; }
orderer_tls_ca() { echo "$(orderer_org_dir "$1")/tlsca/tlsca.$(orderer_domain "$1")-cert.pem"; }
# The ordering org's admin TLS client pair: the only client its orderer's admin endpoint accepts.
orderer_admin_tls() { echo "$(orderer_org_dir "$1")/users/Admin@$(orderer_domain "$1")/tls"; }
orderer_name() { echo "$1.$(orderer_domain "$1")"; }
orderer_dir() { echo "$(orderer_org_dir "$1")/orderers/$(orderer_name "$1")"; }
ORDERER_TLS_CA=$(orderer_tls_ca orderer1)

# --- ports: node n owns the block PORT_BASE+10n .. +9 ----------------------------------------
# orderer1..3 = n 0..2 (listen +0, admin +1, operations +2); peers operator, bank1, firm1,
# regulator = n 3..6 (listen/gossip +0, chaincode +1, operations +2); chaincode server = n 7;
# the EVM development node = n 8 (JSON-RPC +0; network/lib/evm.sh); BFT's orderer4 = n 9.
node_index() {
  case $1 in
    orderer1) echo 0 ;; orderer2) echo 1 ;; orderer3) echo 2 ;;
    operator) echo 3 ;; bank1) echo 4 ;; firm1) echo 5 ;; regulator) echo 6 ;;
    chaincode|chaincode-*) echo 7 ;; evm) echo 8 ;; orderer4) echo 9 ;; *) die "no port block for '$1'" ;;
  esac
}
port() { echo $((PORT_BASE + 10 * $(node_index "$1") + $2)); }

# --- hosts: "local" (every node on 127.0.0.1, one directory) or "netns" (up.sh --hosts=netns:
# each organization's nodes on a host of their own — a Linux network namespace with its own
# address on a bridge only this machine has, and of $NET only its own directory $NET/hosts/<org>;
# network/hosts.sh, network/README.md "One host per organization"). Fixed when the crypto is made.
net_hosts() { cat "$NET/hosts-mode" 2>/dev/null || echo local; }
# The network's /24 (10.231.S.0): S from the port base, so networks on other bases do not meet.
hosts_subnet() { echo "10.231.$(((PORT_BASE / 100) % 250 + 1))"; }
# The organization whose host runs a node (the shared chaincode server: the operator's;
# chaincode-<org>, hosts mode's server of one peer org: that org's).
node_org() {
  case $1 in
    orderer[0-9]*) orderer_org "$1" ;;
    chaincode) echo operator ;;
    chaincode-*) echo "${1#chaincode-}" ;;
    *) echo "$1" ;;
  esac
}
# The chaincode servers: one process for every peer here ("chaincode"); in hosts mode one per
# peer org on its own host (chaincode-<org>), so that no organization's endorsement is computed by
# another's process (network/README.md, One host per organization). Same port, each host's address.
chaincode_servers() {
  local org
  if [ "$(net_hosts)" = netns ]; then for org in "${PEER_ORGS[@]}"; do echo "chaincode-$org"; done
  else echo chaincode; fi
}
# The peer org a chaincode server serves ("" for the shared one).
chaincode_server_org() { case $1 in chaincode-*) echo "${1#chaincode-}" ;; *) echo "" ;; esac; }
# The package id a chaincode server runs, as deploy.sh last recorded it (a record from before
# per-org packages has one packageId for all).
deployed_package_id() {
  jq -r --arg org "$(node_org "$1")" '.packageIds[$org] // .packageId' "$NET/chaincode/deployed.json"
}
# A server's TLS pair and CA as generated (the peers' client pair beside it goes into the package).
chaincode_tls_dir() { local org; org=$(chaincode_server_org "$1"); echo "$NET/chaincode/tls${org:+/$org}"; }
# An organization's address on the bridge (.1 is this machine, where scripts, gateway and tests run).
org_host_index() {
  case $1 in
    orderer) echo 10 ;; operator) echo 11 ;; bank1) echo 12 ;; firm1) echo 13 ;; regulator) echo 14 ;;
    *) die "no host address for organization '$1' (hosts mode runs the small network: orderer, operator, bank1, firm1, regulator)" ;;
  esac
}
# The address a node listens on and is dialled at (TLS certificates carry it).
node_host() {
  if [ "$(net_hosts)" = netns ] && [ "$1" != evm ]; then echo "$(hosts_subnet).$(org_host_index "$(node_org "$1")")"
  else echo 127.0.0.1; fi
}
host_ns() { echo "ec$(((PORT_BASE / 100) % 250 + 1))-$1"; }   # an organization's network namespace
host_dir() { echo "$NET/hosts/$1"; }                         # and its own directory
# A node's msp/ and tls/ as the node reads them, and where it keeps its ledger: its
# organization's directory in hosts mode (lib/hosts.sh host_materials), else the crypto tree.
node_crypto_dir() { case $1 in orderer[0-9]*) orderer_dir "$1" ;; *) peer_dir "$1" ;; esac; }   # as generated
node_material() {
  if [ "$(net_hosts)" = netns ]; then echo "$(host_dir "$(node_org "$1")")/$1"; else node_crypto_dir "$1"; fi
}
node_data() {
  if [ "$(net_hosts)" = netns ]; then echo "$(host_dir "$(node_org "$1")")/data/$1"; else echo "$NODES/$1"; fi
}
# SANs of a node's TLS certificate: its address besides the loopback ones.
node_sans() {
  local h; h=$(node_host "$1")
  if [ "$h" = 127.0.0.1 ]; then echo "localhost, 127.0.0.1"; else echo "localhost, 127.0.0.1, $h"; fi
}
# Scripts not made for hosts mode say so instead of acting on the wrong addresses or directories.
refuse_in_hosts_mode() { [ "$(net_hosts)" != netns ] || die "$1 does not run in hosts mode (up.sh --hosts=netns): network/README.md, One host per organization"; }
# What up.sh and deploy.sh use to reach the ordering service (set again by up.sh once the hosts mode is written).
set_addresses() {
  ORDERER_ADDR=$(node_host orderer1):$(port orderer1 0)
  ORDERER_ARGS=(-o "$ORDERER_ADDR" --tls --cafile "$ORDERER_TLS_CA")
}
peer_addr() { echo "$(node_host "$1"):$(port "$1" 0)"; }

# Environment for the peer CLI acting as an org's admin (cryptogen's Admin@ certificate),
# talking to that org's peer (or, for peerless orgs, only to the orderer).
use_admin() {
  local org=$1 via=${2:-$1}
  export CORE_PEER_LOCALMSPID; CORE_PEER_LOCALMSPID=$(org_msp "$org")
  export CORE_PEER_MSPCONFIGPATH; CORE_PEER_MSPCONFIGPATH=$(org_admin_msp "$org")
  export CORE_PEER_TLS_ENABLED=true
  if has_peer "$via"; then
    export CORE_PEER_ADDRESS; CORE_PEER_ADDRESS=$(peer_addr "$via")
    export CORE_PEER_TLS_ROOTCERT_FILE; CORE_PEER_TLS_ROOTCERT_FILE=$(peer_tls_ca "$via")
  fi
  export FABRIC_LOGGING_SPEC=WARN
}
set_addresses

# --- processes ----------------------------------------------------------------------------------
pidfile() { echo "$RUN/$1.pid"; }
# Alive and really ours: a pid can be reused by an unrelated process after a reboot or crash.
proc_alive() {
  local pf pid; pf=$(pidfile "$1")
  [ -f "$pf" ] || return 1
  pid=$(cat "$pf")
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -- "$2" >/dev/null
}
# Who listens on a TCP port (empty when free): names a leftover process from an earlier run.
# port_holder port [node]: in hosts mode, asked in the node's own namespace.
port_holder() {
  local in=()
  if [ -n "${2:-}" ] && [ "$(net_hosts)" = netns ] && [ "$2" != evm ]; then in=(ip netns exec "$(host_ns "$(node_org "$2")")"); fi
  "${in[@]}" ss -Htlnp "sport = :$1" 2>/dev/null | grep -o 'users:.*' | head -1 || true
}
check_port_free() {  # port what [node]
  local holder; holder=$(port_holder "$1" "${3:-}")
  [ -z "$holder" ] || die "port $1 ($2) is held by $holder — a leftover from an earlier run? stop it (kill <pid>) or set ECONFIRM_PORT_BASE"
}
# setsid: the node leaves the caller's process group, so it outlives the shell that started it
# and a Ctrl-C in that shell does not take the network down with it.
# In hosts mode a Fabric node (orderer*, a peer org, chaincode) starts on its organization's host
# (lib/host-exec.sh): its network namespace, and a view of $NET holding only its own directory.
start_proc() {
  local name=$1 org; shift
  mkdir -p "$RUN" "$LOGS"
  if [ "$(net_hosts)" = netns ] && [ "$name" != evm ]; then
    org=$(node_org "$name")
    set -- "$NETWORK_SRC/lib/host-exec.sh" "$(host_ns "$org")" "$NET" "$(host_dir "$org")" "$@"
  fi
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}
stop_proc() {
  local name=$1 pf pid i
  pf=$(pidfile "$name")
  [ -f "$pf" ] || return 0
  pid=$(cat "$pf")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then say "$name (pid $pid) ignored TERM; killing"; kill -KILL "$pid" || true; sleep 0.2; fi
    kill -0 "$pid" 2>/dev/null && die "$name (pid $pid) is still running"
    say "stopped $name (pid $pid)"
  fi
  rm -f "$pf"
}

wait_healthz() {  # name url [seconds]
  local i
  for i in $(seq 1 $((${3:-60} * 5))); do
    curl -fsS --max-time 1 "$2/healthz" >/dev/null 2>&1 && return 0
    proc_alive "$1" "" || die "$1 exited during start-up; see $LOGS/$1.log"
    sleep 0.2
  done
  die "$1 not healthy after ${3:-60} s; see $LOGS/$1.log"
}
# Ready to order: Raft has elected one leader; SmartBFT's orderers agree on a leader (its metric
# leader_id, the same non-zero id on at least a quorum of 3 of the 4).
wait_ordering_ready() {  # seconds
  if [ "$(net_consensus)" = bft ]; then wait_bft_leader "$@"; else wait_raft_leader "$@"; fi
}
wait_bft_leader() {  # seconds
  local i o agreed
  for i in $(seq 1 $((${1:-60} * 5))); do
    agreed=$(for o in "${ORDERERS[@]}"; do
      curl -fsS --max-time 1 "http://$(node_host "$o"):$(port "$o" 2)/metrics" 2>/dev/null |
        sed -n "s/^consensus_BFT_leader_id{channel=\"$CHANNEL\"} \([1-9][0-9]*\)$/\1/p"
    done | sort | uniq -c | sort -rn | awk 'NR == 1 {print $1}')
    [ "${agreed:-0}" -ge 3 ] && return 0
    sleep 0.2
  done
  die "the BFT orderers agree on no leader for channel $CHANNEL after ${1:-60} s; see $LOGS/orderer*.log"
}
# A (re)started Raft cluster answers /healthz before it has elected a leader; until then it
# cannot order ("no orderers could successfully process transaction"). Ready = one leader.
wait_raft_leader() {  # seconds
  local i o leaders
  for i in $(seq 1 $((${1:-60} * 5))); do
    leaders=0
    for o in "${ORDERERS[@]}"; do
      curl -fsS --max-time 1 "http://$(node_host "$o"):$(port "$o" 2)/metrics" 2>/dev/null |
        grep -q "^consensus_etcdraft_is_leader{channel=\"$CHANNEL\"} 1" && leaders=$((leaders + 1))
    done
    [ "$leaders" -eq 1 ] && return 0
    sleep 0.2
  done
  die "no Raft leader for channel $CHANNEL after ${1:-60} s; see $LOGS/orderer*.log"
}
wait_port() {  # port seconds [node]
  local i
  for i in $(seq 1 $(($2 * 5))); do
    [ -n "$(port_holder "$1" "${3:-}")" ] && return 0
    sleep 0.2
  done
  return 1
}
# Retry a command: Raft elects its leader and gossip finds peers a few seconds after start.
retry() {
  local n=$1 i out; shift
  for i in $(seq 1 "$n"); do
    if out=$("$@" 2>&1); then [ -z "$out" ] || echo "$out"; return 0; fi
    sleep 1
  done
  echo "$out" >&2
  return 1
}
