# shellcheck shell=bash
# The fuzz suite's Python tools (schemathesis, PyJWT; test/fuzz/requirements.txt) in a virtualenv
# of the project's own, .tools/fuzz, installed from PyPI and again only when requirements.txt
# changed (a copy of it is the stamp).
fuzz_tools_dir() {
  echo "${ECONFIRM_ROOT:?}/.tools/fuzz"
}

fuzz_tools_install() {
  local dir requirements stamp python log
  dir=$(fuzz_tools_dir)
  requirements="$ECONFIRM_ROOT/test/fuzz/requirements.txt"
  stamp="$dir/.econfirm-requirements-stamp"
  if [ -x "$dir/bin/st" ] && [ -f "$stamp" ] && cmp -s "$requirements" "$stamp"; then
    return 0
  fi
  # The machine's python3 (3.11.7 on the reference machine); Debian's 3.11.2 is the fallback, its
  # venv module from python3-venv. Both hit CPython's "AST constructor recursion depth mismatch"
  # with two schemathesis workers (threads): the suite runs one.
  python=python3
  if ! "$python" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11, 5))' 2>/dev/null; then python=/usr/bin/python3; fi
  echo "econfirm: installing the fuzz tools into .tools/fuzz ($("$python" --version 2>&1))" >&2
  log=$(mktemp)
  rm -rf "$dir"
  if ! { "$python" -m venv "$dir" &&
    "$dir/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "econfirm: could not install the fuzz tools (test/fuzz/requirements.txt)" >&2
    return 1
  fi
  rm -f "$log"
  cp "$requirements" "$stamp"
}

# Run directly: install now (the fuzz suite does, so that it runs alone too).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ECONFIRM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  fuzz_tools_install
fi
