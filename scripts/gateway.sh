#!/usr/bin/env bash
# The econfirm gateway as a background process next to the network, with demo tenants:
#   scripts/gateway.sh start     write the demo config (once), issue demo API credentials (once),
#                                start the gateway and wait until /readyz answers
#   scripts/gateway.sh stop      stop it (SIGTERM: graceful shutdown closes gRPC and the database)
#   scripts/gateway.sh restart   stop, then start (picks up a new build)
#   scripts/gateway.sh status    running or not, and its readiness
#   scripts/gateway.sh backup FILE    an online backup of gateway.db to FILE, also while it serves
#                                writes (VACUUM INTO: one consistent snapshot; never overwrites FILE)
#   scripts/gateway.sh restore FILE   the gateway stopped: check FILE (SQLite, integrity, an econfirm
#                                gateway schema, this gateway's at-rest key), move gateway.db aside
#                                (gateway.db.before-restore-<time>) and put FILE in its place
# Files: $ECONFIRM_NETWORK_DIR/gateway/{config.json,gateway.db,gateway.pid,gateway.log} and the
# demo credentials' private keys in $ECONFIRM_NETWORK_DIR/gateway/demo-credentials/ (0600).
# ECONFIRM_GATEWAY_DIR puts them elsewhere (a second gateway beside the demo's, e.g. the fault
# suite's: a folder directly under $ECONFIRM_NETWORK_DIR, the config's relative paths point up).
# Port: ECONFIRM_GATEWAY_PORT, default ECONFIRM_PORT_BASE + 393 (7443 for the default network).
set -euo pipefail
ECONFIRM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CALLER_DIR=$PWD   # a relative backup FILE is the caller's, not the repository's
cd "$ECONFIRM_ROOT"
source scripts/lib/node-env.sh
source scripts/lib/network-state.sh

GW_DIR=${ECONFIRM_GATEWAY_DIR:-$ECONFIRM_NETWORK_DIR/gateway}
GW_CONFIG=$GW_DIR/config.json
GW_PID=$GW_DIR/gateway.pid
GW_LOG=$GW_DIR/gateway.log
GW_CREDS=$GW_DIR/demo-credentials
GW_PORT=${ECONFIRM_GATEWAY_PORT:-$(( ${ECONFIRM_PORT_BASE:-7050} + 393 ))}
GW_URL=http://127.0.0.1:$GW_PORT
export ECONFIRM_GATEWAY_CONFIG=$GW_CONFIG ECONFIRM_GATEWAY_PORT=$GW_PORT

# tenant:identity pairs that get a demo credential (ids are <tenant>.<identity>).
DEMO_CREDENTIALS="firm1:auditor1 firm1:auditor2 client1:client1 bank1:officer1 bank1:officer2 bank1:reviewer1 bank1:mortgage-officer1 bank2:officer1 regulator:regulator1 operator:admin mreg1:registrar1 mreg1:registry-reviewer1 ent1:ent1 sup1:sup1 sup2:sup2"
# The receivables demo's enterprises (tenant:institution); a network minted before them gets their identities here.
RECEIVABLE_TENANTS="ent1:ENT1 sup1:SUP1 sup2:SUP2"

say() { echo "econfirm-gateway: $*" >&2; }

# The second bank (BANK2, Bank2MSP, no peer: it uses the operator's) is a tenant when the network
# has its org; a network created before it has not (network/clean.sh, then start.sh, adds it).
add_second_bank_tenant() {
  jq -e '.orgs[] | select(.key == "bank2")' "$ECONFIRM_NETWORK_DIR/network.json" >/dev/null 2>&1 || return 0
  jq -e '.tenants[] | select(.id == "bank2")' "$GW_CONFIG" >/dev/null && return 0
  jq '.tenants += [{ id: "bank2", institutionId: "BANK2", orgKey: "bank2" }]' "$GW_CONFIG" >"$GW_CONFIG.tmp"
  mv "$GW_CONFIG.tmp" "$GW_CONFIG"
  say "added the second bank's tenant bank2 (BANK2) to $GW_CONFIG"
}

running_pid() {
  local pid
  [ -f "$GW_PID" ] || return 1
  pid=$(cat "$GW_PID")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

write_config() {
  mkdir -p "$GW_DIR"
  chmod 700 "$GW_DIR"
  # The demo's webhook receivers run on this machine: loopback is allowed explicitly (the default refuses it).
  if [ -f "$GW_CONFIG" ]; then
    # A demo config written before egress control existed gets the same explicit allowance.
    if ! jq -e '.events.webhookEgress' "$GW_CONFIG" >/dev/null; then
      jq '.events.webhookEgress = { allowPrivateNetworks: false, allowedHosts: ["127.0.0.0/8", "::1", "localhost"] }' "$GW_CONFIG" >"$GW_CONFIG.tmp"
      mv "$GW_CONFIG.tmp" "$GW_CONFIG"
      say "added the demo's loopback webhook allowance to $GW_CONFIG"
    fi
    # A demo config written before mortgages gets the registration centre's tenant.
    if ! jq -e '.tenants[] | select(.id == "mreg1")' "$GW_CONFIG" >/dev/null; then
      jq '.tenants += [{ id: "mreg1", institutionId: "MREG1", orgKey: "operator" }]' "$GW_CONFIG" >"$GW_CONFIG.tmp"
      mv "$GW_CONFIG.tmp" "$GW_CONFIG"
      say "added the registration centre's tenant mreg1 to $GW_CONFIG"
    fi
    # A demo config written before public anchoring anchors on the development node too.
    if ! jq -e '.anchoring' "$GW_CONFIG" >/dev/null; then
      jq '.anchoring = { deploymentFile: "../evm/deployment.json", recorder: "operator/admin", batchIntervalMs: 10000 }' "$GW_CONFIG" >"$GW_CONFIG.tmp"
      mv "$GW_CONFIG.tmp" "$GW_CONFIG"
      say "added anchoring on the EVM development node to $GW_CONFIG"
    fi
    # A demo config written before receivables gets the core enterprise's and the suppliers' tenants.
    local pair
    for pair in $RECEIVABLE_TENANTS; do
      if ! jq -e --arg t "${pair%%:*}" '.tenants[] | select(.id == $t)' "$GW_CONFIG" >/dev/null; then
        jq --arg t "${pair%%:*}" --arg i "${pair#*:}" '.tenants += [{ id: $t, institutionId: $i, orgKey: "operator" }]' "$GW_CONFIG" >"$GW_CONFIG.tmp"
        mv "$GW_CONFIG.tmp" "$GW_CONFIG"
        say "added the tenant ${pair%%:*} (${pair#*:}) to $GW_CONFIG"
      fi
    done
    add_second_bank_tenant
    return 0
  fi
  cat >"$GW_CONFIG" <<EOF
{
  "host": "127.0.0.1",
  "dbPath": "gateway.db",
  "networkDescriptorPath": "../network.json",
  "keysDir": "../institution-keys",
  "events": { "webhookEgress": { "allowPrivateNetworks": false, "allowedHosts": ["127.0.0.0/8", "::1", "localhost"] } },
  "anchoring": { "deploymentFile": "../evm/deployment.json", "recorder": "operator/admin", "batchIntervalMs": 10000 },
  "tenants": [
    { "id": "firm1", "institutionId": "FIRM1", "orgKey": "firm1" },
    { "id": "client1", "institutionId": "CLIENT1", "orgKey": "operator" },
    { "id": "bank1", "institutionId": "BANK1", "orgKey": "bank1" },
    { "id": "regulator", "institutionId": "REGULATOR", "orgKey": "regulator" },
    { "id": "operator", "institutionId": "OPERATOR", "orgKey": "operator" },
    { "id": "mreg1", "institutionId": "MREG1", "orgKey": "operator" },
    { "id": "ent1", "institutionId": "ENT1", "orgKey": "operator" },
    { "id": "sup1", "institutionId": "SUP1", "orgKey": "operator" },
    { "id": "sup2", "institutionId": "SUP2", "orgKey": "operator" }
  ]
}
EOF
  add_second_bank_tenant
  say "wrote $GW_CONFIG"
}

issue_demo_credentials() {
  local pair tenant identity
  for pair in $RECEIVABLE_TENANTS; do
    tenant=${pair%%:*}
    [ -f "$ECONFIRM_NETWORK_DIR/identities/operator/$tenant/meta.json" ] || network/identity.sh issue operator "$tenant" client-signer "${pair#*:}" >/dev/null
  done
  for pair in $DEMO_CREDENTIALS; do
    tenant=${pair%%:*}; identity=${pair#*:}
    jq -e --arg t "$tenant" '.tenants[] | select(.id == $t)' "$GW_CONFIG" >/dev/null || continue   # bank2 on an older network
    node gateway/dist/cli.js credentials issue --tenant "$tenant" --identity "$identity" --id "$tenant.$identity" --out "$GW_CREDS" >/dev/null
  done
}

start() {
  local pid i
  if pid=$(running_pid); then
    say "already running (pid $pid) at $GW_URL"
    return 0
  fi
  network_is_up || { say "the network in $ECONFIRM_NETWORK_DIR is not up (network/up.sh first)"; return 1; }
  [ -f gateway/dist/main.js ] || { say "gateway is not built (npm run build)"; return 1; }
  write_config
  issue_demo_credentials
  # The gateway's Node flags (gateway/src/node-flags.ts says why; a gateway unit test holds them equal).
  nohup node --max-semi-space-size=16 --expose-gc gateway/dist/main.js >>"$GW_LOG" 2>&1 </dev/null &
  echo $! >"$GW_PID"
  for i in $(seq 1 120); do
    if curl -fsS --max-time 2 "$GW_URL/readyz" >/dev/null 2>&1; then
      say "ready at $GW_URL (pid $(cat "$GW_PID"), log $GW_LOG)"
      return 0
    fi
    if ! running_pid >/dev/null; then
      say "the gateway exited while starting; last log lines:"
      tail -n 20 "$GW_LOG" >&2
      rm -f "$GW_PID"
      return 1
    fi
    sleep 0.5
  done
  say "not ready after 60 s; see $GW_LOG"
  return 1
}

stop() {
  local pid i
  if ! pid=$(running_pid); then
    rm -f "$GW_PID"
    say "not running"
    return 0
  fi
  kill -TERM "$pid"
  for i in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid ignored SIGTERM for 10 s; killing it"
    kill -KILL "$pid"
  fi
  rm -f "$GW_PID"
  say "stopped"
}

status() {
  local pid
  if pid=$(running_pid); then
    echo "running (pid $pid) at $GW_URL"
    curl -sS --max-time 5 "$GW_URL/readyz" || true
    echo
  else
    echo "not running"
    return 3
  fi
}

backup() {
  [ -f "$GW_CONFIG" ] || { say "no $GW_CONFIG: the gateway was never started here"; return 1; }
  node gateway/dist/cli.js db backup --out "$1"
}

restore() {
  local pid
  [ -f "$GW_CONFIG" ] || { say "no $GW_CONFIG: the gateway was never started here"; return 1; }
  if pid=$(running_pid); then say "the gateway is running (pid $pid): scripts/gateway.sh stop first"; return 1; fi
  # A gateway started by hand (no pid file) on the same port also holds the database.
  if curl -fsS --max-time 2 "$GW_URL/healthz" >/dev/null 2>&1; then say "a gateway answers at $GW_URL: stop it first"; return 1; fi
  node gateway/dist/cli.js db restore --from "$1"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  backup|restore)
    [ $# -eq 2 ] || { say "usage: scripts/gateway.sh $1 FILE"; exit 2; }
    case $2 in /*) file=$2 ;; *) file=$CALLER_DIR/$2 ;; esac
    "$1" "$file" ;;
  *) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
