#!/usr/bin/env bash
# Demo confirmations, made through the running demo gateway exactly as the institutions would
# (each act by its own tenant's credential), so a fresh system has something in every state:
#   CF-DEMO-0001  bank letter, the whole path: auditor-accepted (the firm reads the bank's reply)
#   CF-DEMO-0002  bank letter, issued: waiting for the client's authorization
#   CF-DEMO-0003  bank letter, accepted by the bank: its reply is due
#   CF-DEMO-0004  bank letter refused by the client: closed by an alternative procedure
# Safe to run again: each request is advanced only from the state it is in.
set -euo pipefail
ECONFIRM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ECONFIRM_ROOT"
source scripts/lib/node-env.sh
source scripts/lib/network-state.sh

GW_PORT=${ECONFIRM_GATEWAY_PORT:-$(( ${ECONFIRM_PORT_BASE:-7050} + 393 ))}
GW=http://127.0.0.1:$GW_PORT
CREDS=$ECONFIRM_NETWORK_DIR/gateway/demo-credentials
EXAMPLES=gateway/examples

say() { echo "econfirm-demo: $*" >&2; }

# token <credential> <METHOD> <path>: a fresh token good for that one request only (htm/htu).
token() { node gateway/dist/cli.js token --credential "$CREDS/$1.json" --method "$2" --url "$GW$3"; }

# call <credential> <METHOD> <path> [json-file-or-text]: prints the body, fails on a non-2xx answer.
call() {
  local who=$1 method=$2 route=$3 body=${4:-} out status
  local args=(-s -o /dev/stderr -w '%{http_code}' -X "$method" "$GW$route" -H "Authorization: Bearer $(token "$who" "$method" "$route")")
  if [ -n "$body" ]; then
    if [ -f "$body" ]; then args+=(--data-binary "@$body"); body=$(cat "$body"); else args+=(--data-binary "$body"); fi
    # One key per act: a rerun after a lost answer gets the first outcome instead of acting twice.
    args+=(-H 'Content-Type: application/json' -H "Idempotency-Key: demo-$(printf '%s %s %s' "$method" "$route" "$body" | sha256sum | cut -c1-32)")
  fi
  out=$(mktemp)
  status=$(curl "${args[@]}" 2>"$out") || { rm -f "$out"; say "cannot reach the gateway at $GW"; return 1; }
  if [ "${status:0:1}" != 2 ]; then
    say "$who $method $route answered $status: $(cat "$out")"
    rm -f "$out"
    return 1
  fi
  cat "$out"
  rm -f "$out"
}

# The request's state as its firm sees it, or "absent".
state_of() {
  local out
  out=$(mktemp)
  if curl -sf -o "$out" "$GW/v1/confirmations/$1" -H "Authorization: Bearer $(token firm1.auditor1 GET "/v1/confirmations/$1")"; then
    jq -r .state "$out"
  else
    echo absent
  fi
  rm -f "$out"
}

issue() {
  local id=$1 letter_no=$2 file
  [ "$(state_of "$id")" = absent ] || return 0
  file=$(mktemp)
  jq --arg id "$id" --arg no "$letter_no" '.id = $id | .letter.header.letterNo = $no' "$EXAMPLES/issue-bank-letter.json" >"$file"
  call firm1.auditor1 POST /v1/confirmations "$file" >/dev/null
  rm -f "$file"
}

# advance <id> <target>: walks the bank-letter path from wherever the request is up to <target>.
advance() {
  local id=$1 target=$2 state
  while state=$(state_of "$id"); [ "$state" != "$target" ]; do
    case $state in
      issued) call client1.client1 POST "/v1/confirmations/$id/authorization" '{"feeConsent":true}' >/dev/null ;;
      authorized) call bank1.officer1 POST "/v1/confirmations/$id/acceptance" >/dev/null ;;
      accepted) call bank1.officer1 POST "/v1/confirmations/$id/reply" "$EXAMPLES/agreeing-reply.json" >/dev/null ;;
      reply-prepared) call bank1.reviewer1 POST "/v1/confirmations/$id/reply/approval" >/dev/null ;;
      replied) call firm1.auditor1 POST "/v1/confirmations/$id/auditor-acceptance" >/dev/null ;;
      *) say "$id is $state; cannot advance it to $target"; return 1 ;;
    esac
  done
}

curl -sf "$GW/readyz" >/dev/null || { say "the gateway at $GW is not ready: run ./scripts/start.sh"; exit 1; }

issue CF-DEMO-0001 XD-2026-0001
advance CF-DEMO-0001 auditor-accepted
issue CF-DEMO-0002 XD-2026-0002
issue CF-DEMO-0003 XD-2026-0003
advance CF-DEMO-0003 accepted
issue CF-DEMO-0004 XD-2026-0004
case $(state_of CF-DEMO-0004) in
  issued) call client1.client1 POST /v1/confirmations/CF-DEMO-0004/refusal '{"reason":"the account was closed before the audit period"}' >/dev/null ;&
  client-refused) call firm1.auditor1 POST /v1/confirmations/CF-DEMO-0004/alternative-procedure \
    "{\"procedure\":\"BANK_STATEMENTS\",\"workpaperHash\":\"$(printf 'WP-DEMO-0004' | sha256sum | cut -c1-64)\"}" >/dev/null ;;
esac

for id in CF-DEMO-0001 CF-DEMO-0002 CF-DEMO-0003 CF-DEMO-0004; do say "$id: $(state_of "$id")"; done
