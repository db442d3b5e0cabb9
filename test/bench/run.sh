#!/usr/bin/env bash
# Runs the benchmarks on a dedicated network (own directory and ports, wiped afterwards) so
# they neither disturb nor are disturbed by a running demo. Results: test/bench/results/*.json.
set -euo pipefail
ECONFIRM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ECONFIRM_ROOT"
source scripts/lib/node-env.sh
export ECONFIRM_NETWORK_DIR=${BENCH_NETWORK_DIR:-$ECONFIRM_ROOT/.network-bench}
export ECONFIRM_PORT_BASE=${BENCH_PORT_BASE:-9050}
npm run --silent build
network/install-fabric.sh
trap 'network/clean.sh' EXIT
network/up.sh
node test/dist/bench/fabric-baseline.js
# Gateway over HTTP vs. raw fabric-gateway, same network, same run (registers the demo institutions it needs).
node test/dist/bench/gateway-bench.js
# Gas per anchor and per piece of evidence on the EVM development node up.sh started.
node test/dist/bench/anchoring-bench.js
# Receivable registration and confirmation, reported against the raw baseline above.
node test/dist/bench/receivable-bench.js
