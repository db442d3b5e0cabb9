# shellcheck shell=bash
# Source me after common.sh. One function per node kind: its environment (every address, path
# and TLS file explicit, so core.yaml/orderer.yaml only supply defaults) and its start.

start_orderer() {
  local o=$1 d tls cluster_cas data host
  if proc_alive "$o" "$FABRIC_BIN/orderer"; then say "$o already running (pid $(cat "$(pidfile "$o")"))"; return 0; fi
  rm -f "$(pidfile "$o")"
  check_port_free "$(port "$o" 0)" "$o listen" "$o"
  check_port_free "$(port "$o" 1)" "$o admin" "$o"
  check_port_free "$(port "$o" 2)" "$o operations" "$o"
  d=$(node_material "$o"); tls=$d/tls; data=$(node_data "$o"); host=$(node_host "$o")
  # Cluster links: every ordering org's TLS CA (public certificates, the ones the channel config
  # carries); the admin endpoint: only the orderer's own org's TLS CA (its admin alone manages it).
  # On its own host (hosts mode: one ordering org, Raft) the orderer has its org's TLS CA only.
  if [ "$(net_hosts)" = netns ]; then cluster_cas=$tls/ca.crt
  else cluster_cas=$(for x in "${ORDERERS[@]}"; do orderer_tls_ca "$x"; done | sort -u | paste -sd, -); fi
  mkdir -p "$data"
  start_proc "$o" env \
    GOGC="$FABRIC_GOGC" FABRIC_CFG_PATH="$FABRIC_CFG_PATH" FABRIC_LOGGING_SPEC="$LOG_SPEC" \
    ORDERER_GENERAL_LISTENADDRESS="$host" \
    ORDERER_GENERAL_LISTENPORT="$(port "$o" 0)" \
    ORDERER_GENERAL_LOCALMSPID="$(orderer_msp "$o")" \
    ORDERER_GENERAL_LOCALMSPDIR="$d/msp" \
    ORDERER_GENERAL_TLS_ENABLED=true \
    ORDERER_GENERAL_TLS_PRIVATEKEY="$tls/server.key" \
    ORDERER_GENERAL_TLS_CERTIFICATE="$tls/server.crt" \
    ORDERER_GENERAL_TLS_ROOTCAS="[$tls/ca.crt]" \
    ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE="$tls/server.crt" \
    ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY="$tls/server.key" \
    ORDERER_GENERAL_CLUSTER_ROOTCAS="[$cluster_cas]" \
    ORDERER_GENERAL_BOOTSTRAPMETHOD=none \
    ORDERER_CHANNELPARTICIPATION_ENABLED=true \
    ORDERER_CHANNELPARTICIPATION_MAXREQUESTBODYSIZE="64 MB" \
    ORDERER_ADMIN_LISTENADDRESS="$host:$(port "$o" 1)" \
    ORDERER_ADMIN_TLS_ENABLED=true \
    ORDERER_ADMIN_TLS_PRIVATEKEY="$tls/server.key" \
    ORDERER_ADMIN_TLS_CERTIFICATE="$tls/server.crt" \
    ORDERER_ADMIN_TLS_ROOTCAS="[$tls/ca.crt]" \
    ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED=true \
    ORDERER_ADMIN_TLS_CLIENTROOTCAS="[$tls/ca.crt]" \
    ORDERER_OPERATIONS_LISTENADDRESS="$host:$(port "$o" 2)" \
    ORDERER_METRICS_PROVIDER=prometheus \
    ORDERER_FILELEDGER_LOCATION="$data/ledger" \
    ORDERER_CONSENSUS_WALDIR="$data/etcdraft/wal" \
    ORDERER_CONSENSUS_SNAPDIR="$data/etcdraft/snapshot" \
    "$FABRIC_BIN/orderer"
  say "started $o (pid $(cat "$(pidfile "$o")"), port $(port "$o" 0))"
}

start_peer() {
  local org=$1 d tls name addr cfg data host
  if proc_alive "$org" "$FABRIC_BIN/peer"; then say "peer $org already running (pid $(cat "$(pidfile "$org")"))"; return 0; fi
  rm -f "$(pidfile "$org")"
  check_port_free "$(port "$org" 0)" "peer $org" "$org"
  check_port_free "$(port "$org" 1)" "peer $org chaincode" "$org"
  check_port_free "$(port "$org" 2)" "peer $org operations" "$org"
  d=$(node_material "$org"); tls=$d/tls; name=$(peer_name "$org"); addr=$(peer_addr "$org"); data=$(node_data "$org"); host=$(node_host "$org")
  # A peer routed to the orderers through the fault suite's proxy has a core.yaml of its own
  # (network/netcut.sh route): it keeps that route across restarts until netcut.sh unroute, but
  # only while the proxy runs — after down.sh or a power cut it starts on its direct links, never
  # cut off by a proxy nobody restarted.
  cfg=$FABRIC_CFG_PATH
  if [ -f "$NODES/$org/netcut/core.yaml" ] && proc_alive toxiproxy toxiproxy-server; then cfg=$NODES/$org/netcut; fi
  mkdir -p "$data"
  start_proc "$org" env \
    GOGC="$FABRIC_GOGC" FABRIC_CFG_PATH="$cfg" FABRIC_LOGGING_SPEC="$LOG_SPEC" \
    CORE_PEER_ID="$name" \
    CORE_PEER_LISTENADDRESS="$addr" \
    CORE_PEER_ADDRESS="$addr" \
    CORE_PEER_CHAINCODELISTENADDRESS="$host:$(port "$org" 1)" \
    CORE_PEER_CHAINCODEADDRESS="$host:$(port "$org" 1)" \
    CORE_PEER_GOSSIP_BOOTSTRAP="$addr" \
    CORE_PEER_GOSSIP_EXTERNALENDPOINT="$addr" \
    CORE_PEER_GOSSIP_RECONNECTINTERVAL=2s \
    CORE_PEER_LOCALMSPID="$(org_msp "$org")" \
    CORE_PEER_MSPCONFIGPATH="$d/msp" \
    CORE_PEER_TLS_ENABLED=true \
    CORE_PEER_TLS_CERT_FILE="$tls/server.crt" \
    CORE_PEER_TLS_KEY_FILE="$tls/server.key" \
    CORE_PEER_TLS_ROOTCERT_FILE="$tls/ca.crt" \
    CORE_PEER_GATEWAY_ENABLED=true \
    CORE_PEER_FILESYSTEMPATH="$data/data" \
    CORE_LEDGER_SNAPSHOTS_ROOTDIR="$data/snapshots" \
    CORE_LEDGER_STATE_STATEDATABASE=goleveldb \
    CORE_OPERATIONS_LISTENADDRESS="$host:$(port "$org" 2)" \
    CORE_OPERATIONS_TLS_ENABLED=false \
    CORE_METRICS_PROVIDER=prometheus \
    CORE_VM_ENDPOINT= \
    CORE_CHAINCODE_EXTERNALBUILDERS="[{name: econfirm-ccaas, path: $NETWORK_SRC/builders/ccaas}]" \
    CORE_CHAINCODE_STARTUPTIMEOUT=30s \
    "$FABRIC_BIN/peer" node start
  say "started peer $org (pid $(cat "$(pidfile "$org")"), port $(port "$org" 0))"
}

# A chaincode server (chaincode as a service): start_chaincode <package id> [server]. The shared
# one ("chaincode", every peer dials it) by default; in hosts mode chaincode-<org>, on that peer
# org's host with its TLS pair from that org's directory (lib/common.sh chaincode_servers).
start_chaincode() {
  local id=$1 server=${2:-chaincode} p tls host
  tls=$(chaincode_tls_dir "$server")
  [ "$(net_hosts)" = netns ] && tls=$(host_dir "$(node_org "$server")")/chaincode/tls
  p=$(port "$server" 0); host=$(node_host "$server")
  if proc_alive "$server" "--chaincode-id=$id"; then say "$server server already running ($id)"; return 0; fi
  stop_proc "$server"
  check_port_free "$p" "$server server" "$server"
  [ -f "$CC_DIR/dist/index.js" ] || die "no $CC_DIR/dist/index.js: build the chaincode first (npx tsc -b)"
  # shellcheck source=/dev/null
  source "$ROOT/scripts/lib/node-env.sh"
  (cd "$CC_DIR" && start_proc "$server" "$ROOT/node_modules/.bin/fabric-chaincode-node" server \
    --chaincode-address="$host:$p" --chaincode-id="$id" \
    --chaincode-tls-cert-file="$tls/server.crt" --chaincode-tls-key-file="$tls/server.key" \
    --chaincode-tls-client-cacert-file="$tls/ca.crt")
  wait_port "$p" 30 "$server" || die "$server server did not listen on $p; see $LOGS/$server.log"
  say "$server server listening on $host:$p (pid $(cat "$(pidfile "$server")"))"
}
