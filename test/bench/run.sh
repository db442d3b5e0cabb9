#!/usr/bin/env bash
# Runs the benchmarks on a dedicated network (own directory and ports, wiped afterwards) so
# they neither disturb nor are disturbed by a running demo. Results: test/bench/results/*.json.
# Then the raw baseline again on a BFT network (up.sh --bft, its own directory, same ports once the
# Raft one is wiped), and BFT against Raft side by side (ordering-comparison.json).
#   BENCH_ONLY_ORDERING=1: only the two baselines and their comparison.
#   BENCH_SOAK=1: also the soak benchmark (BENCH_SOAK_MINUTES, default 30, of mixed load; soak.json).
# Last, the ledger audit on a chain of BENCH_AUDIT_BLOCKS (default 10,000) blocks, on a third network
# that cuts a block per transaction (ECONFIRM_BATCH_MAX_MESSAGES=1; ledger-audit.json).
#   BENCH_ONLY_AUDIT=1: only that one.
# BENCH_STATS=1 (or BENCH_ONLY_STATS=1: only it): the regulator's statistics and the list pages at
# BENCH_STATS_SIZES requests (default 10,000 and 100,000), on a network of its own (stats-scale.json).
# BENCH_CONSORTIUM=1 (or BENCH_ONLY_CONSORTIUM=1: only it): up.sh --consortium=BENCH_CONSORTIUM_SIZE
# (default 864) from nothing, one more org admitted, the registry filled and read (consortium.json),
# then the gateway benchmark on that network (gateway-consortium.json) and the cost of one channel
# policy evaluation by member count (policy-cost.json).
set -euo pipefail
ECONFIRM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ECONFIRM_ROOT"
source scripts/lib/node-env.sh
export ECONFIRM_NETWORK_DIR=${BENCH_NETWORK_DIR:-$ECONFIRM_ROOT/.network-bench}
export ECONFIRM_PORT_BASE=${BENCH_PORT_BASE:-9050}
RAFT_DIR=$ECONFIRM_NETWORK_DIR
BFT_DIR=$ECONFIRM_NETWORK_DIR-bft
AUDIT_DIR=$ECONFIRM_NETWORK_DIR-audit
STATS_DIR=$ECONFIRM_NETWORK_DIR-stats
CONSORTIUM_DIR=$ECONFIRM_NETWORK_DIR-consortium
npm run --silent build
network/install-fabric.sh
trap 'for d in "$RAFT_DIR" "$BFT_DIR" "$AUDIT_DIR" "$STATS_DIR" "$CONSORTIUM_DIR"; do ECONFIRM_NETWORK_DIR=$d network/clean.sh; done' EXIT

ledger_audit() {
  ECONFIRM_NETWORK_DIR=$AUDIT_DIR ECONFIRM_BATCH_MAX_MESSAGES=1 network/up.sh
  ECONFIRM_NETWORK_DIR=$AUDIT_DIR node test/dist/bench/ledger-audit-bench.js
  ECONFIRM_NETWORK_DIR=$AUDIT_DIR network/clean.sh
}
if [ -n "${BENCH_ONLY_AUDIT:-}" ]; then ledger_audit; exit 0; fi
stats_scale() {
  ECONFIRM_NETWORK_DIR=$STATS_DIR network/up.sh
  ECONFIRM_NETWORK_DIR=$STATS_DIR node test/dist/bench/stats-scale-bench.js
  ECONFIRM_NETWORK_DIR=$STATS_DIR network/clean.sh
}
if [ -n "${BENCH_ONLY_STATS:-}" ]; then stats_scale; exit 0; fi
consortium_scale() {   # the benchmark brings its network up itself: the bring-up is what it times first
  ECONFIRM_NETWORK_DIR=$CONSORTIUM_DIR node test/dist/bench/consortium-bench.js
  ECONFIRM_NETWORK_DIR=$CONSORTIUM_DIR BENCH_RESULT_NAME=gateway-consortium node test/dist/bench/gateway-bench.js
  # Fabric's own policy evaluator against Readers/Writers-shaped policies of 4 … 2000 members, signed
  # by the operator's admin (network/fabric-build/policycost; policy-cost.json).
  (cd network/fabric-build && go build -mod=readonly -trimpath -o "$CONSORTIUM_DIR/policycost" ./policycost)
  "$CONSORTIUM_DIR/policycost" "$CONSORTIUM_DIR/crypto/peerOrganizations/operator.econfirm.net/users/Admin@operator.econfirm.net/msp" OperatorMSP \
    >test/bench/results/policy-cost.json
  ECONFIRM_NETWORK_DIR=$CONSORTIUM_DIR network/clean.sh
}
if [ -n "${BENCH_ONLY_CONSORTIUM:-}" ]; then consortium_scale; exit 0; fi

network/up.sh
node test/dist/bench/fabric-baseline.js
if [ -z "${BENCH_ONLY_ORDERING:-}" ]; then
  # Gateway over HTTP vs. raw fabric-gateway, same network, same run (registers the demo institutions it needs).
  node test/dist/bench/gateway-bench.js
  # Gas per anchor and per piece of evidence on the EVM development node up.sh started.
  node test/dist/bench/anchoring-bench.js
  # Receivable registration and confirmation, reported against the raw baseline above.
  node test/dist/bench/receivable-bench.js
  # Memory under a long mixed load (gateway heap after GC, RSS, every node's RSS each minute).
  if [ -n "${BENCH_SOAK:-}" ]; then node test/dist/bench/soak-bench.js; fi
fi
# One network at a time: the two cores are not shared between the two ordering services.
network/clean.sh
export ECONFIRM_NETWORK_DIR=$BFT_DIR
network/up.sh --bft
node test/dist/bench/fabric-baseline.js
node test/dist/bench/ordering-comparison.js
network/clean.sh
ledger_audit
if [ -n "${BENCH_STATS:-}" ]; then stats_scale; fi
if [ -n "${BENCH_CONSORTIUM:-}" ]; then consortium_scale; fi
