# shellcheck shell=bash
# The fuzz suite's Python tools (schemathesis, PyJWT; test/fuzz/requirements.txt) in a virtualenv
# of the project's own, .tools/fuzz, installed from PyPI and again only when requirements.txt
# changed (a copy of it is the stamp). Debian's python3-venv (scripts/lib/system-packages.sh)
# gives the system python3 its venv module.
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
  # Debian's interpreter, the one python3-venv belongs to (a PATH python3 may be another one).
  python=/usr/bin/python3
  [ -x "$python" ] || python=python3
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
