#!/usr/bin/env bash
# Runs every test suite of econfirm on this machine and ends with "N passed, N failed, N skipped":
# lint, unit tests, Solidity contracts, and integration tests against a real Fabric network
# (started here when none is running, and stopped again afterwards), then the fault suite, which
# crashes that network's nodes under load and brings them back.
set -euo pipefail
ECONFIRM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ECONFIRM_ROOT"
source scripts/lib/node-env.sh
source scripts/lib/deps.sh
source scripts/lib/suites.sh
source scripts/lib/network-state.sh
source scripts/lib/system-packages.sh
source scripts/lib/fuzz-tools.sh

system_packages_install
deps_install
fuzz_tools_install
run_check build npm run --silent build
run_check lint npx eslint --max-warnings 0 .
run_suite unit:common npm test --silent -w common
run_suite unit:chaincode npm test --silent -w chaincode
run_suite unit:test-tools npm test --silent -w test
run_suite unit:evidence npm test --silent -w clients/evidence
run_suite unit:sdk npm test --silent -w clients/sdk
run_suite unit:gateway npm test --silent -w gateway
run_suite contracts npm test --silent -w contracts

network/install-fabric.sh
# The TCP proxy of the fault suite's network cut (network/netcut.sh), built like Fabric, pinned.
network/install-toxiproxy.sh
we_started_network=0
if network_is_up; then
  echo "econfirm: reusing the network already running in $ECONFIRM_NETWORK_DIR"
  network/deploy.sh
else
  we_started_network=1
  network/up.sh
fi
stop_network() { [ "$we_started_network" = 0 ] || network/down.sh >/dev/null; }
trap stop_network EXIT

run_suite integration npm run --silent test:integration -w test
run_suite e2e npm run --silent test:e2e -w test
# The gateway fuzzed from its own OpenAPI document as three roles (test/src/fuzz/, schemathesis).
run_suite fuzz npm run --silent test:fuzz -w test
run_suite integration:evidence npm run --silent test:integration -w clients/evidence
# Last, on the same network: it crashes nodes and restores every one it stops (gateway/README.md, Under faults; test/src/fault/).
run_suite fault npm run --silent test:fault -w test

# Stop what we started before the summary, so the totals are the last line printed.
stop_network
trap - EXIT
suites_summary
