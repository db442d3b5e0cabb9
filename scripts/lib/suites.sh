# shellcheck shell=bash
# Source me. run_suite NAME CMD… runs one test suite, shows its output, and adds its mocha
# summary ("N passing", "N failing") to the totals. A suite that exits non-zero without
# reporting a failing test (it crashed, or a non-mocha check such as lint failed) counts as
# one failure, so nothing broken can hide behind a green total.
SUITES_PASSED=0
SUITES_FAILED=0
SUITES_REPORT=()

# Sum of mocha's "N passing"/"N failing" lines in a log (0 when there are none).
mocha_total() {
  sed 's/\x1b\[[0-9;]*m//g' "$2" | { grep -E "^ *[0-9]+ $1( \([0-9.]+(ms|s|m|h)\))?$" || true; } | awk '{s+=$1} END {print s+0}'
}

run_suite() {
  local name=$1; shift
  local log rc passed failed
  log=$(mktemp)
  echo
  echo "━━ suite: $name ━━"
  set +e
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  # Hardhat repeats mocha's totals on its own last lines ("31 passing (31 mocha)"): count the
  # indented mocha lines only once by skipping lines that name their runner in parentheses.
  passed=$(mocha_total passing "$log")
  failed=$(mocha_total failing "$log")
  rm -f "$log"
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  if [ "$rc" -eq 0 ] && [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then passed=1; fi
  SUITES_PASSED=$((SUITES_PASSED + passed))
  SUITES_FAILED=$((SUITES_FAILED + failed))
  SUITES_REPORT+=("$(printf '%-22s %4d passed %4d failed (exit %d)' "$name" "$passed" "$failed" "$rc")")
}

suites_summary() {
  echo
  echo "━━ summary ━━"
  local line
  for line in "${SUITES_REPORT[@]}"; do echo "  $line"; done
  echo "$SUITES_PASSED passed, $SUITES_FAILED failed"
  [ "$SUITES_FAILED" -eq 0 ]
}
