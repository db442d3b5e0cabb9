#!/usr/bin/env bash
# Demo confirmations, made through the running demo gateway exactly as the institutions would
# (each act by its own tenant's credential), so a fresh system has something in every state:
#   CF-DEMO-0001  bank letter, the whole path: auditor-accepted (the firm reads the bank's reply)
#   CF-DEMO-0002  bank letter, issued: waiting for the client's authorization
#   CF-DEMO-0003  bank letter, accepted by the bank: its reply is due
#   CF-DEMO-0004  bank letter refused by the client: closed by an alternative procedure
#   CF-DEMO-0005  Form 2 bank letter of this year's engagement (ENG-<year>-CLIENT1-XC): the bank's reply lists
#                 the loan secured by MTG-DEMO-0001 but omits MTG-DEMO-0002, so the firm's cross-check
#                 against the ledger shows MORTGAGE_NOT_IN_REPLY (CLIENT1 grants FIRM1 access; the summary
#                 is recorded for the regulator's statistics); the letter asks for discounted bills too and the
#                 bank states none, while CLIENT1 holds RCV-DEMO-0002, financed by BANK1: the cross-check
#                 also shows FINANCED_RECEIVABLE_NOT_IN_REPLY (CLIENT1 grants FIRM1 its receivables too); and it
#                 asks for the other items (14), where the bank states none, while CLIENT1 owes SUP1
#                 RCV-DEMO-0003, which BANK1 financed for SUP1: OWED_RECEIVABLE_NOT_IN_REPLY; its acceptance
#                 bills (also asked, none stated) are reported not compared (ACCEPTANCE_BILLS_NOT_ON_LEDGER)
#   CF-DEMO-0006  receivable confirmation of the same engagement to ENT1, CLIENT1's customer: the auditor lists
#                 the ¥300,000.00 of invoice 3100261130 00018901 and ENT1 answers it owes nothing, while the
#                 ledger holds RCV-DEMO-0002 (ENT1 owes CLIENT1, confirmed): the cross-check shows
#                 RECEIVABLE_BALANCE_NOT_STATED (and BANK1's lien on it as RECEIVABLE_FINANCING_NOT_ASKED)
# and, on one property of CLIENT1 (unit 310115 001001 GB00088 F00010101), mortgage registrations:
#   MTG-DEMO-0001 BANK1, registered, priority 1     MTG-DEMO-0002 BANK1, registered, priority 2
#   MTG-DEMO-0003 BANK1, registered first, then discharged (so the two behind it moved up)
# and on two units of SUP1: MTG-DEMO-0004 changed (amount and term), MTG-DEMO-0005 transferred to SUP2
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
    args+=(-H 'Content-Type: application/json' -H "Idempotency-Key: demo-$(printf '%s %s %s%s' "$method" "$route" "$body" "${DEMO_FRESH:+ $DEMO_FRESH}" | sha256sum | cut -c1-32)")
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

# advance <id> <target> [reply-file]: walks the bank-letter path from wherever the request is up to <target>.
advance() {
  local id=$1 target=$2 reply=${3:-$EXAMPLES/agreeing-reply.json} state
  while state=$(state_of "$id"); [ "$state" != "$target" ]; do
    case $state in
      issued) call client1.client1 POST "/v1/confirmations/$id/authorization" '{"feeConsent":true}' >/dev/null ;;
      authorized) call bank1.officer1 POST "/v1/confirmations/$id/acceptance" >/dev/null ;;
      accepted) call bank1.officer1 POST "/v1/confirmations/$id/reply" "$reply" >/dev/null ;;
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

# ---- mortgages (gateway/src/mortgages) ----
# BANK1's mortgage officer files and requests discharge; MREG1's registrar prepares each registration
# and discharge, its registry reviewer (another identity) approves it (maker–checker).
DEMO_UNIT='310115 001001 GB00088 F00010101'

mortgage_field() {
  local out
  out=$(mktemp)
  if curl -sf -o "$out" "$GW/v1/mortgages/$1" -H "Authorization: Bearer $(token bank1.mortgage-officer1 GET "/v1/mortgages/$1")"; then
    jq -r "$2 // \"-\"" "$out"
  else
    echo absent
  fi
  rm -f "$out"
}

# file_mortgage <id> <amount> [unit location mortgagor-name mortgagor-id]: CLIENT1's demo unit by default.
file_mortgage() {
  local id=$1 amount=$2 unit=${3:-$DEMO_UNIT} location=${4:-上海市浦东新区示范路88号1幢101室}
  local name=${5:-华东制造股份有限公司} owner=${6:-CLIENT1}
  [ "$(mortgage_field "$id" .state)" = absent ] || return 0
  call bank1.mortgage-officer1 POST /v1/mortgages "$(jq -cn --arg id "$id" --arg unit "$unit" --arg amount "$amount" \
    --arg location "$location" --arg name "$name" --arg owner "$owner" \
    --arg consent "$(printf 'CONSENT-%s' "$id" | sha256sum | cut -c1-64)" '{
      id: $id, registryId: "MREG1", unitNumber: $unit, location: $location,
      propertyType: "commercial", mortgageType: "ordinary", securedPrincipal: $amount, currency: "CNY",
      debtTermStart: "2026-01-01", debtTermEnd: "2031-01-01",
      mortgagors: [{ name: $name, institutionId: $owner }], consentHash: $consent }')" >/dev/null
}

approve_mortgage_step() {
  call mreg1.registry-reviewer1 POST "/v1/mortgages/$1/review/approval" >/dev/null
}

register_mortgage() {
  case $(mortgage_field "$1" .state) in
    applied) call mreg1.registrar1 POST "/v1/mortgages/$1/registration" "{\"certificateNumber\":\"沪(2026)浦东新区不动产证明第$2号\"}" >/dev/null ;&
    registration-in-review) approve_mortgage_step "$1" ;;
  esac
}

file_mortgage MTG-DEMO-0003 2000000.00
register_mortgage MTG-DEMO-0003 0000803
file_mortgage MTG-DEMO-0001 8000000.00
register_mortgage MTG-DEMO-0001 0000801
file_mortgage MTG-DEMO-0002 3000000.00
register_mortgage MTG-DEMO-0002 0000802
case $(mortgage_field MTG-DEMO-0003 .state) in
  registered) call bank1.mortgage-officer1 POST /v1/mortgages/MTG-DEMO-0003/discharge-request '{"reason":"repaid"}' >/dev/null ;&
  discharge-requested) call mreg1.registrar1 POST /v1/mortgages/MTG-DEMO-0003/discharge '{"caseNumber":"DC-DEMO-0003","reason":"repaid"}' >/dev/null ;&
  discharge-in-review) approve_mortgage_step MTG-DEMO-0003 ;;
esac
# A change (变更登记) and a transfer (转移登记), each prepared by the registrar and approved by the
# reviewer, on two units of SUP1 (not CLIENT1's, so the cross-check below is as described):
#   MTG-DEMO-0004 SUP1's warehouse, ¥5,000,000.00 to 2031: changed to ¥6,500,000.00 until 2033
#   MTG-DEMO-0005 SUP1's office, ¥1,200,000.00: the unit sold to SUP2, the mortgage attached
file_mortgage MTG-DEMO-0004 5000000.00 '310115 001002 GB00091 F00020101' '上海市浦东新区示范路90号2幢' '苏州精密零件有限公司' SUP1
register_mortgage MTG-DEMO-0004 0000804
case $(mortgage_field MTG-DEMO-0004 .state) in
  registered) call mreg1.registrar1 POST /v1/mortgages/MTG-DEMO-0004/change '{"securedPrincipal":"6500000.00","debtTermEnd":"2033-01-01"}' >/dev/null ;&
  change-in-review) approve_mortgage_step MTG-DEMO-0004 ;;
esac
file_mortgage MTG-DEMO-0005 1200000.00 '310115 001003 GB00095 F00030201' '上海市浦东新区示范路92号3幢201室' '苏州精密零件有限公司' SUP1
register_mortgage MTG-DEMO-0005 0000805
case $(mortgage_field MTG-DEMO-0005 .state) in
  registered) call mreg1.registrar1 POST /v1/mortgages/MTG-DEMO-0005/transfer '{"mortgagors":[{"name":"无锡特种钢材有限公司","institutionId":"SUP2"}]}' >/dev/null ;&
  transfer-in-review) approve_mortgage_step MTG-DEMO-0005 ;;
esac
for id in MTG-DEMO-0001 MTG-DEMO-0002 MTG-DEMO-0003 MTG-DEMO-0004 MTG-DEMO-0005; do say "$id: $(mortgage_field "$id" .state), priority $(mortgage_field "$id" .priority)"; done
# CLIENT1 asks the second bank for a loan on the same property: its consent lets BANK2 see the unit's
# encumbrances, their amounts widened to BANK2 (the portal as bank2.officer1, or the CLI's
# `mortgages encumbrances … --keys`). Until the end of next year; given again on every run (the
# consent is replaced, the same registrations disclosed).
consent_until="$(( $(date -u +%Y) + 1 ))-12-31"
consent=$(jq -n --arg unit "$DEMO_UNIT" --arg until "$consent_until" '{ unitNumber: $unit, bankId: "BANK2", validUntil: $until }')
disclosed=$(call client1.client1 POST /v1/mortgages/encumbrance-authorizations "$consent" | jq -r '.disclosed | join(", ")')
say "encumbrances of the demo unit shown to BANK2 until $consent_until, amounts of: $disclosed"

# ---- a cross-check with an exception (gateway/src/crosscheck) ----
# This year's engagement (the as-of date is the year's end, local time), so today's registrations count.
YEAR=$(TZ=Asia/Shanghai date +%Y)
if [ "$(state_of CF-DEMO-0005)" = absent ]; then
  file=$(mktemp)
  jq --arg y "$YEAR" '.id = "CF-DEMO-0005"
    | .engagement = { id: "ENG-\($y)-CLIENT1-XC", clientId: "CLIENT1", periodStart: "\($y)-01-01", periodEnd: "\($y)-12-31", asOfDate: "\($y)-12-31" }
    | .letter.header.letterNo = "XD-\($y)-0005" | .letter.header.asOfDate = "\($y)-12-31" | .letter.header.auditPeriod = "\($y)-01-01 to \($y)-12-31"
    | .letter.sections.discountedBills = { status: "requested" } | .letter.sections.other = { status: "requested" }
    | .letter.sections.acceptanceBills = { status: "requested" }' \
    "$EXAMPLES/issue-bank-letter-form2.json" >"$file"
  call firm1.auditor1 POST /v1/confirmations "$file" >/dev/null
  rm -f "$file"
fi
reply=$(mktemp)
jq --arg y "$YEAR" '.content.date = "\($y)-01-10" | .content.sections.discountedBills = { status: "none" } | .content.sections.other = { status: "none" }
  | .content.sections.acceptanceBills = { status: "none" }' "$EXAMPLES/form2-reply-omitting-a-mortgage.json" >"$reply"
advance CF-DEMO-0005 auditor-accepted "$reply"
rm -f "$reply"

# ---- receivables and batch payments (gateway/src/receivables, gateway/src/payment-batches) ----
# ENT1 (core enterprise) owes SUP1 ¥1,000,000.00 (RCV-DEMO-0001, confirmed, split into three);
# part 2 passed up the chain to SUP2, who financed it at BANK1; SUP2 offers RCV-DEMO-0004 to
# BANK2 for financing; BANK1 paid 24 farmers for ENT1.

# receivable_field <id> <jq> [reader]: as the core enterprise sees it (it is party to every part it
# owes) or as `reader` (the obligor of one ENT1 is no party to), or "absent".
receivable_field() {
  local out reader=${3:-ent1.ent1}
  out=$(mktemp)
  if curl -sf -o "$out" "$GW/v1/receivables/$1" -H "Authorization: Bearer $(token "$reader" GET "/v1/receivables/$1")"; then
    jq -r "$2 // \"-\"" "$out"
  else
    echo absent
  fi
  rm -f "$out"
}

# The platform's limit for ENT1 (¥50,000,000.00), once.
if ! curl -sf -o /dev/null "$GW/v1/receivables/limits/ENT1" -H "Authorization: Bearer $(token ent1.ent1 GET /v1/receivables/limits/ENT1)"; then
  call operator.admin PUT /v1/receivables/limits/ENT1 '{"amountMinor":"5000000000","currency":"CNY"}' >/dev/null
fi
if [ "$(receivable_field RCV-DEMO-0001 .state)" = absent ]; then
  call sup1.sup1 POST /v1/receivables '{"id":"RCV-DEMO-0001","obligorId":"ENT1","amountMinor":"100000000","currency":"CNY","issueDate":"2026-03-01","maturityDate":"2027-03-01","contractNumber":"HT-DEMO-2026-0001","invoiceNumbers":["3100261130 00018801","3100261130 00018802"],"goods":"精密轴承 4,000 套"}' >/dev/null
fi
[ "$(receivable_field RCV-DEMO-0001 .state)" = registered ] && call ent1.ent1 POST /v1/receivables/RCV-DEMO-0001/confirmation >/dev/null
if [ "$(receivable_field RCV-DEMO-0001 .state)" = confirmed ]; then
  call sup1.sup1 POST /v1/receivables/RCV-DEMO-0001/split '{"parts":[{"id":"RCV-DEMO-0001-1","amountMinor":"50000000"},{"id":"RCV-DEMO-0001-2","amountMinor":"30000000"},{"id":"RCV-DEMO-0001-3","amountMinor":"20000000"}]}' >/dev/null
fi
[ "$(receivable_field RCV-DEMO-0001-2 .state)" = confirmed ] && call sup1.sup1 POST /v1/receivables/RCV-DEMO-0001-2/transfer '{"toId":"SUP2"}' >/dev/null
[ "$(receivable_field RCV-DEMO-0001-2 .state)" = transferred ] && call sup2.sup2 POST /v1/receivables/RCV-DEMO-0001-2/financing-request '{"bankId":"BANK1"}' >/dev/null
[ "$(receivable_field RCV-DEMO-0001-2 .state)" = financing-requested ] && call bank1.officer1 POST /v1/receivables/RCV-DEMO-0001-2/financing '{"financingId":"FIN-DEMO-0001"}' >/dev/null
# Parts 1 and 3 cannot be financed now: they share the invoices of part 2, which BANK1 holds a lien
# on (one active lien per invoice, DOMAIN §5). What ENT1 owes SUP2 on an invoice of its own
# (RCV-DEMO-0004, ¥150,000.00) SUP2 offers to the second bank: BANK2's officer finds it among its
# financing requests (the portal as bank2.officer1, or POST /v1/receivables/RCV-DEMO-0004/financing).
if [ "$(receivable_field RCV-DEMO-0004 .state)" = absent ]; then
  call sup2.sup2 POST /v1/receivables '{"id":"RCV-DEMO-0004","obligorId":"ENT1","amountMinor":"15000000","currency":"CNY","issueDate":"2026-06-01","maturityDate":"2027-06-01","contractNumber":"HT-DEMO-2026-0004","invoiceNumbers":["3100261130 00021107"],"goods":"特种钢板 60 吨"}' >/dev/null
fi
[ "$(receivable_field RCV-DEMO-0004 .state)" = registered ] && call ent1.ent1 POST /v1/receivables/RCV-DEMO-0004/confirmation >/dev/null
[ "$(receivable_field RCV-DEMO-0004 .state)" = confirmed ] && call sup2.sup2 POST /v1/receivables/RCV-DEMO-0004/financing-request '{"bankId":"BANK2"}' >/dev/null
for id in RCV-DEMO-0001 RCV-DEMO-0001-1 RCV-DEMO-0001-2 RCV-DEMO-0001-3 RCV-DEMO-0004; do say "$id: $(receivable_field "$id" .state), holder $(receivable_field "$id" .holderId)"; done
# CLIENT1's own receivable from ENT1 (¥300,000.00), financed by BANK1 this year: CF-DEMO-0005's reply
# states no discounted bill, so the cross-check shows it (FINANCED_RECEIVABLE_NOT_IN_REPLY).
if [ "$(receivable_field RCV-DEMO-0002 .state)" = absent ]; then
  call client1.client1 POST /v1/receivables "$(jq -cn --arg y "$YEAR" --arg today "$(date -u +%F)" '{id: "RCV-DEMO-0002", obligorId: "ENT1", amountMinor: "30000000", currency: "CNY", issueDate: $today,
    maturityDate: "\($y | tonumber + 1)-06-30", contractNumber: "HT-DEMO-\($y)-0002", invoiceNumbers: ["3100261130 00018901"], goods: "包装材料 12,000 件"}')" >/dev/null
fi
[ "$(receivable_field RCV-DEMO-0002 .state)" = registered ] && call ent1.ent1 POST /v1/receivables/RCV-DEMO-0002/confirmation >/dev/null
[ "$(receivable_field RCV-DEMO-0002 .state)" = confirmed ] && call client1.client1 POST /v1/receivables/RCV-DEMO-0002/financing-request '{"bankId":"BANK1"}' >/dev/null
[ "$(receivable_field RCV-DEMO-0002 .state)" = financing-requested ] && call bank1.officer1 POST /v1/receivables/RCV-DEMO-0002/financing '{"financingId":"FIN-DEMO-0002"}' >/dev/null
say "RCV-DEMO-0002: $(receivable_field RCV-DEMO-0002 .state), holder $(receivable_field RCV-DEMO-0002 .holderId), lien $(receivable_field RCV-DEMO-0002 .lien.bankId)"
# What CLIENT1 owes its supplier SUP1 (¥200,000.00), financed by BANK1 for SUP1 this year: CF-DEMO-0005's
# reply states no other item, so the cross-check shows it (OWED_RECEIVABLE_NOT_IN_REPLY). CLIENT1
# confirms within the limit the platform set it (¥10,000,000.00, once).
if ! curl -sf -o /dev/null "$GW/v1/receivables/limits/CLIENT1" -H "Authorization: Bearer $(token client1.client1 GET /v1/receivables/limits/CLIENT1)"; then
  call operator.admin PUT /v1/receivables/limits/CLIENT1 '{"amountMinor":"1000000000","currency":"CNY"}' >/dev/null
fi
owed() { receivable_field RCV-DEMO-0003 "$1" client1.client1; }
if [ "$(owed .state)" = absent ]; then
  call sup1.sup1 POST /v1/receivables "$(jq -cn --arg y "$YEAR" --arg today "$(date -u +%F)" '{id: "RCV-DEMO-0003", obligorId: "CLIENT1", amountMinor: "20000000", currency: "CNY", issueDate: $today,
    maturityDate: "\($y | tonumber + 1)-04-30", contractNumber: "HT-DEMO-\($y)-0003", invoiceNumbers: ["3100261130 00019001"], goods: "铝型材 80 吨"}')" >/dev/null
fi
[ "$(owed .state)" = registered ] && call client1.client1 POST /v1/receivables/RCV-DEMO-0003/confirmation >/dev/null
[ "$(owed .state)" = confirmed ] && call sup1.sup1 POST /v1/receivables/RCV-DEMO-0003/financing-request '{"bankId":"BANK1"}' >/dev/null
[ "$(owed .state)" = financing-requested ] && call bank1.officer1 POST /v1/receivables/RCV-DEMO-0003/financing '{"financingId":"FIN-DEMO-0003"}' >/dev/null
say "RCV-DEMO-0003: $(owed .state), obligor $(owed .obligorId), holder $(owed .holderId), lien $(owed .lien.bankId)"

# The client lets its auditors see its registrations and its receivables; the firm cross-checks
# CF-DEMO-0005 and records the summary (counts only). A grant is state, not an event: it is made
# again on every run (a fresh key, DEMO_FRESH), since a test run on this network may have revoked
# it and a replayed answer would not grant it back.
DEMO_FRESH=$(date +%s%N) call client1.client1 POST /v1/mortgages/auditor-access '{"firmId":"FIRM1","validUntil":"2099-12-31"}' >/dev/null
DEMO_FRESH=$(date +%s%N) call client1.client1 POST /v1/receivables/auditor-access '{"firmId":"FIRM1","validUntil":"2099-12-31"}' >/dev/null
call firm1.auditor1 POST /v1/confirmations/CF-DEMO-0005/cross-check >/dev/null
say "CF-DEMO-0005: $(state_of CF-DEMO-0005); cross-check: $(curl -sf "$GW/v1/confirmations/CF-DEMO-0005/cross-check" \
  -H "Authorization: Bearer $(token firm1.auditor1 GET /v1/confirmations/CF-DEMO-0005/cross-check)" | jq -r '[.exceptions[] | "\(.code) \(.recordId // "")"] | join(", ") | if . == "" then "no exceptions" else . end')"

# CF-DEMO-0006: ENT1 denies the balance the ledger says it owes CLIENT1 (the customer signs its own
# reply in one step: no maker-checker at an enterprise).
if [ "$(state_of CF-DEMO-0006)" = absent ]; then
  call firm1.auditor1 POST /v1/confirmations "$(jq -cn --arg y "$YEAR" '{id: "CF-DEMO-0006", kind: "receivable", addresseeId: "ENT1", feePayer: "client",
    engagement: { id: "ENG-\($y)-CLIENT1-XC", clientId: "CLIENT1", periodStart: "\($y)-01-01", periodEnd: "\($y)-12-31", asOfDate: "\($y)-12-31" },
    letter: { formId: "balance-confirmation-2020",
      header: { letterNo: "XD-\($y)-0006", counterparty: "ENT1 核心企业", auditFirm: "FIRM1", asOfDate: "\($y)-12-31", replyContact: "audit@firm1.example", clientSealRef: "SEAL-CLIENT1", handler: "Zhang San", date: "\($y)-01-05" },
      sections: { balances: { status: "rows", rows: [{ documentRef: "发票 3100261130 00018901", date: "\($y)-12-31", currency: "CNY", amount: "300000.00", description: "包装材料货款" }] }, otherItems: { status: "none" } } } }')" >/dev/null
fi
while state=$(state_of CF-DEMO-0006); [ "$state" != auditor-accepted ]; do
  case $state in
    issued) call client1.client1 POST /v1/confirmations/CF-DEMO-0006/authorization '{"feeConsent":true}' >/dev/null ;;
    authorized) call ent1.ent1 POST /v1/confirmations/CF-DEMO-0006/acceptance >/dev/null ;;
    accepted) call ent1.ent1 POST /v1/confirmations/CF-DEMO-0006/reply "$(jq -cn --arg y "$YEAR" '{content: {formId: "balance-confirmation-2020", conclusion: "disagrees", handler: "Li Ming", reviewer: "Wang Hong", date: "\($y)-01-12", sections: {},
      differences: [{ section: "balances", row: 0, field: "amount", stated: "300000.00", actual: "0.00", note: "已全部付清 paid in full" }]}}')" >/dev/null ;;
    replied) call firm1.auditor1 POST /v1/confirmations/CF-DEMO-0006/auditor-acceptance >/dev/null ;;
    *) say "CF-DEMO-0006 is $state; cannot advance it"; exit 1 ;;
  esac
done
call firm1.auditor1 POST /v1/confirmations/CF-DEMO-0006/cross-check >/dev/null
say "CF-DEMO-0006: $(state_of CF-DEMO-0006); cross-check: $(curl -sf "$GW/v1/confirmations/CF-DEMO-0006/cross-check" \
  -H "Authorization: Bearer $(token firm1.auditor1 GET /v1/confirmations/CF-DEMO-0006/cross-check)" | jq -r '[.exceptions[] | "\(.code) \(.recordId // "")"] | join(", ") | if . == "" then "no exceptions" else . end')"

# A produce purchase paid to 24 farmers in one settlement; the same lines again answer the settled batch.
batch=$(jq -cn '{id: "PB-DEMO-0001", payerId: "ENT1", currency: "CNY", instructionReference: "ZL-DEMO-2026-0301",
  lines: [range(24) | { payeeReference: "6217 0000 0000 \(1000 + .)", amountMinor: "\(180000 + . * 2350)" }]}')
call bank1.officer1 POST /v1/payment-batches "$batch" >/dev/null
say "PB-DEMO-0001: $(curl -sf "$GW/v1/payment-batches/PB-DEMO-0001" -H "Authorization: Bearer $(token regulator.regulator1 GET /v1/payment-batches/PB-DEMO-0001)" | jq -r '"\(.count) payments, total \(.summary.content.total) fen as the regulator opens it"')"
