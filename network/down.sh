#!/usr/bin/env bash
# Stop every process up.sh/deploy.sh started (they are all recorded in $ECONFIRM_NETWORK_DIR/run/
# as pid files). Ledgers and crypto stay: up.sh resumes the same network (the EVM development
# chain lives in its node's memory: up.sh deploys the anchor contract again).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

[ -d "$RUN" ] || { say "nothing running in $NET"; exit 0; }
# Chaincode first (peers would only log reconnect errors), orderers last, then the EVM node.
for n in $(chaincode_servers) "${PEER_ORGS[@]}" "${ORDERERS[@]}" evm; do stop_proc "$n"; done
shopt -s nullglob
for pf in "$RUN"/*.pid; do stop_proc "$(basename "$pf" .pid)"; done
left=$(ls "$RUN")
[ -z "$left" ] || die "pid files left in $RUN: $left"
say "network down ($NET)"
