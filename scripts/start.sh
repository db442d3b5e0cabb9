#!/usr/bin/env bash
# Starts econfirm on this machine: installs what is missing (Debian tools, Node 24, npm
# dependencies, Fabric binaries), builds, brings up the Fabric network with the chaincode, loads
# the demo institutions into the registry, starts the gateway (REST API) with demo tenants, and
# makes demo confirmation requests through it (scripts/demo-data.sh).
# Safe to run again: a running network is reused, the gateway restarted on the new build.
set -euo pipefail
ECONFIRM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ECONFIRM_ROOT"
source scripts/lib/node-env.sh
source scripts/lib/deps.sh
source scripts/lib/network-state.sh
source scripts/lib/system-packages.sh

system_packages_install
deps_install
build_all
network/install-fabric.sh
if network_is_up; then
  # The second bank's org (Bank2MSP) is in the channel's genesis block: a network created before it cannot gain it here.
  if [ "$(cat "$ECONFIRM_NETWORK_DIR/mode" 2>/dev/null || echo small)" = small ] && ! jq -e '.orgs[] | select(.key == "bank2")' "$ECONFIRM_NETWORK_DIR/network.json" >/dev/null; then
    echo "econfirm: the network in $ECONFIRM_NETWORK_DIR was created before the second bank (Bank2MSP); re-create it: network/clean.sh && ./scripts/start.sh (this wipes its ledger and demo data)" >&2
    exit 1
  fi
  echo "econfirm: network already running in $ECONFIRM_NETWORK_DIR; deploying the current chaincode"
  network/deploy.sh
else
  network/up.sh
fi
node clients/cli/dist/main.js demo seed
scripts/gateway.sh restart
scripts/demo-data.sh
GW_PORT=${ECONFIRM_GATEWAY_PORT:-$(( ${ECONFIRM_PORT_BASE:-7050} + 393 ))}
GW_CREDS=$ECONFIRM_NETWORK_DIR/gateway/demo-credentials

cat <<INFO

econfirm is up.
  network descriptor : $ECONFIRM_NETWORK_DIR/network.json
  node logs          : $ECONFIRM_NETWORK_DIR/logs/
  EVM node           : $(jq -r '.rpcUrl + "  EvidenceAnchor " + .address' "$ECONFIRM_NETWORK_DIR/evm/deployment.json")   ($ECONFIRM_NETWORK_DIR/evm/deployment.json)
  institutions       : node clients/cli/dist/main.js institutions list
  gateway (REST)     : http://127.0.0.1:$GW_PORT   docs http://127.0.0.1:$GW_PORT/docs   (scripts/gateway.sh status|stop)
  demo API keys      : $GW_CREDS/  (firm1.auditor1, client1.client1, bank1.officer1, bank1.reviewer1, bank1.mortgage-officer1, bank2.officer1, mreg1.registrar1, mreg1.registry-reviewer1, regulator.regulator1, …)
  web portal         : http://127.0.0.1:$GW_PORT/portal/   (sign in with one of those files, e.g. client1.client1.json; clients/portal/README.md)
  demo requests      : CF-DEMO-0001 (auditor-accepted) … CF-DEMO-0004, CF-DEMO-0005 (its reply omits MTG-DEMO-0002, RCV-DEMO-0002 and RCV-DEMO-0003: cross-check), CF-DEMO-0006 (ENT1 denies owing RCV-DEMO-0002: cross-check) (scripts/demo-data.sh)
  demo mortgages     : MTG-DEMO-0001 (priority 1), MTG-DEMO-0002 (priority 2), MTG-DEMO-0003 (discharged), one unit of CLIENT1; MTG-DEMO-0004 (changed), MTG-DEMO-0005 (transferred to SUP2)
  demo receivables   : RCV-DEMO-0001 (ENT1 owes SUP1, confirmed, split into -1 -2 -3; -2 held by SUP2, financed at BANK1), RCV-DEMO-0004 (ENT1 owes SUP2, offered to BANK2 for financing), RCV-DEMO-0002 (ENT1 owes CLIENT1), RCV-DEMO-0003 (CLIENT1 owes SUP1), both financed at BANK1, PB-DEMO-0001 (24 payees)
  stop / wipe        : scripts/gateway.sh stop; network/down.sh   /   network/clean.sh

Call the gateway as FIRM1's auditor (each token is single-use, lives 2 minutes and is good for one
method and URL only — the query is not part of it):
  GW=http://127.0.0.1:$GW_PORT; t() { node gateway/dist/cli.js token --credential $GW_CREDS/\$1.json --method \$2 --url "\$GW\$3"; }
  curl -s -H "Authorization: Bearer \$(t firm1.auditor1 GET /v1/me)" \$GW/v1/me
  curl -s -H "Authorization: Bearer \$(t firm1.auditor1 GET /v1/confirmations)" \$GW/v1/confirmations
Evidence PDF of the finished demo letter, and its independent verification:
  curl -s -o CF-DEMO-0001.pdf -H "Authorization: Bearer \$(t firm1.auditor1 GET /v1/confirmations/CF-DEMO-0001/evidence.pdf)" \$GW/v1/confirmations/CF-DEMO-0001/evidence.pdf
  node clients/cli/dist/main.js --as firm1/auditor1 verify CF-DEMO-0001.pdf
Its public anchor, against the EVM node alone (the demo gateway anchors every 10 s; "anchoring pending" before):
  node clients/cli/dist/main.js verify CF-DEMO-0001.pdf --evm-rpc $(jq -r .rpcUrl "$ECONFIRM_NETWORK_DIR/evm/deployment.json") --evm-contract $(jq -r .address "$ECONFIRM_NETWORK_DIR/evm/deployment.json")
  clients/evidence/scripts/verify-anchor-by-hand.sh CF-DEMO-0001.pdf $(jq -r .rpcUrl "$ECONFIRM_NETWORK_DIR/evm/deployment.json") $(jq -r .address "$ECONFIRM_NETWORK_DIR/evm/deployment.json")
The registration centre's queue, and one registration as its bank sees it (sealed parts opened):
  curl -s -H "Authorization: Bearer \$(t mreg1.registrar1 GET /v1/mortgages)" \$GW/v1/mortgages
  curl -s -H "Authorization: Bearer \$(t mreg1.registry-reviewer1 GET /v1/mortgages)" "\$GW/v1/mortgages?state=registration-in-review"   # the reviewer's queue: approve with POST …/{id}/review/approval
  curl -s -H "Authorization: Bearer \$(t bank1.mortgage-officer1 GET /v1/mortgages/MTG-DEMO-0002)" \$GW/v1/mortgages/MTG-DEMO-0002
The demo unit's encumbrances as the second bank BANK2 sees them before lending — amounts opened, under CLIENT1's consent:
  curl -s -X POST -H 'content-type: application/json' -H "Authorization: Bearer \$(t bank2.officer1 POST /v1/mortgages/encumbrance-queries)" -d '{"unitNumber":"310115 001001 GB00088 F00010101"}' \$GW/v1/mortgages/encumbrance-queries | jq '.encumbrances[] | {mortgageId, priority, amountStatus, amount}'
Its registration certificate (不动产登记证明), signed by the registration centre, and its verification:
  curl -s -o MTG-DEMO-0002-certificate.pdf -H "Authorization: Bearer \$(t bank1.mortgage-officer1 GET /v1/mortgages/MTG-DEMO-0002/certificate.pdf)" \$GW/v1/mortgages/MTG-DEMO-0002/certificate.pdf
  pdfsig MTG-DEMO-0002-certificate.pdf; node clients/cli/dist/main.js --as bank1/mortgage-officer1 verify MTG-DEMO-0002-certificate.pdf
The firm's cross-check of a bank reply against the mortgages on the ledger (the portal shows it on CF-DEMO-0005):
  curl -s -H "Authorization: Bearer \$(t firm1.auditor1 GET /v1/confirmations/CF-DEMO-0005/cross-check)" \$GW/v1/confirmations/CF-DEMO-0005/cross-check | jq .exceptions
  node clients/cli/dist/main.js --as firm1/auditor1 cross-check CF-DEMO-0005
The financed part of the demo receivable as its holder SUP2 sees it (amount and invoices opened), and the core enterprise's limit:
  curl -s -H "Authorization: Bearer \$(t sup2.sup2 GET /v1/receivables/RCV-DEMO-0001-2)" \$GW/v1/receivables/RCV-DEMO-0001-2
  curl -s -H "Authorization: Bearer \$(t ent1.ent1 GET /v1/receivables/limits/ENT1)" \$GW/v1/receivables/limits/ENT1
More: gateway/README.md (every route, the letter format, offline signing, error codes).
INFO
