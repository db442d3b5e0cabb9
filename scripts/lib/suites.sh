# shellcheck shell=bash
# Source me. Two kinds of step add to the totals:
#   run_check NAME CMD…  a check that is not a test runner (build, lint): 1 passed when it exits 0,
#                        1 failed otherwise;
#   run_suite NAME CMD…  a mocha suite: its "N passing", "N failing" and "N pending" lines are added
#                        to the totals. A suite that exits non-zero without reporting a failing test
#                        (it crashed) counts as one failure, and so does a suite that exits 0 having
#                        run no test (a wrong glob, an empty build): nothing broken or missing can
#                        hide behind a green total. Pending (skipped) tests are counted and shown.
SUITES_PASSED=0
SUITES_FAILED=0
SUITES_SKIPPED=0
SUITES_REPORT=()
# What each failing suite printed about its failures (mocha's "N failing" section, cut short),
# repeated just above the totals: CI shows the end of a run's output, and the end must say which
# test failed and why, not only how many.
SUITES_FAILURES=()
SUITES_FAILURE_LINES=${SUITES_FAILURE_LINES:-40}

# A log without the terminal's colour codes (mocha colours its totals and failures).
plain_log() {
  sed 's/\x1b\[[0-9;]*m//g' "$1"
}

# Sum of mocha's "N passing"/"N failing"/"N pending" lines in a log (0 when there are none).
# Hardhat repeats mocha's totals on its own last lines ("31 passing (31 mocha)"): lines that name
# their runner in parentheses are not counted, so each test counts once.
mocha_total() {
  plain_log "$2" | { grep -E "^ *[0-9]+ $1( \([0-9.]+(ms|s|m|h)\))?$" || true; } | awk '{s+=$1} END {print s+0}'
}

# Adds one step's counts to the totals and its line to the report.
suites_record() {
  local name=$1 passed=$2 failed=$3 skipped=$4 rc=$5 note=${6:-}
  SUITES_PASSED=$((SUITES_PASSED + passed))
  SUITES_FAILED=$((SUITES_FAILED + failed))
  SUITES_SKIPPED=$((SUITES_SKIPPED + skipped))
  SUITES_REPORT+=("$(printf '%-22s %4d passed %4d failed %4d skipped (exit %d)%s' "$name" "$passed" "$failed" "$skipped" "$rc" "$note")")
}

# Runs "$@" showing its output; sets SUITE_RC and SUITE_LOG (a temporary file the caller removes).
suites_run() {
  SUITE_LOG=$(mktemp)
  set +e
  "$@" 2>&1 | tee "$SUITE_LOG"
  SUITE_RC=${PIPESTATUS[0]}
  set -e
}

# Keeps the first lines of mocha's failure report in a log: from its "N failing" line on.
suites_keep_failures() {
  local name=$1 log=$2 section
  section=$(plain_log "$log" | awk '/^ *[0-9]+ failing$/ {on=1} on' | head -n "$SUITES_FAILURE_LINES")
  [ -n "$section" ] || return 0
  SUITES_FAILURES+=("── $name ──"$'\n'"$section")
}

run_check() {
  local name=$1; shift
  echo
  echo "━━ check: $name ━━"
  suites_run "$@"
  rm -f "$SUITE_LOG"
  if [ "$SUITE_RC" -eq 0 ]; then suites_record "$name" 1 0 0 "$SUITE_RC"; else suites_record "$name" 0 1 0 "$SUITE_RC"; fi
}

run_suite() {
  local name=$1; shift
  local passed failed skipped note=''
  echo
  echo "━━ suite: $name ━━"
  suites_run "$@"
  passed=$(mocha_total passing "$SUITE_LOG")
  failed=$(mocha_total failing "$SUITE_LOG")
  skipped=$(mocha_total pending "$SUITE_LOG")
  if [ "$failed" -gt 0 ]; then suites_keep_failures "$name" "$SUITE_LOG"; fi
  rm -f "$SUITE_LOG"
  if [ "$SUITE_RC" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; note=' — exited non-zero without a failing test'; fi
  if [ "$SUITE_RC" -eq 0 ] && [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; note=' — ran no test'; fi
  suites_record "$name" "$passed" "$failed" "$skipped" "$SUITE_RC" "$note"
}

# The report, then the closing line "N passed, N failed, N skipped"; returns non-zero on any failure.
suites_summary() {
  local failure
  if [ "${#SUITES_FAILURES[@]}" -gt 0 ]; then
    echo
    echo "━━ failures (the first $SUITES_FAILURE_LINES lines of each suite's report) ━━"
    for failure in "${SUITES_FAILURES[@]}"; do echo "$failure"; done
  fi
  echo
  echo "━━ summary ━━"
  local line
  for line in "${SUITES_REPORT[@]}"; do echo "  $line"; done
  echo "$SUITES_PASSED passed, $SUITES_FAILED failed, $SUITES_SKIPPED skipped"
  [ "$SUITES_FAILED" -eq 0 ]
}
