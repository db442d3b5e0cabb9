# shellcheck shell=bash
# Source me after node-env.sh. Installs npm dependencies when the lock file changed, then builds.
deps_install() {
  local stamp="$ECONFIRM_ROOT/node_modules/.econfirm-lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$ECONFIRM_ROOT/package-lock.json" "$stamp"; then
    echo "econfirm: installing npm dependencies (Node $(node --version))" >&2
    (cd "$ECONFIRM_ROOT" && npm ci --no-audit --no-fund) || return 1
    cp "$ECONFIRM_ROOT/package-lock.json" "$stamp"
  fi
}

build_all() {
  echo "econfirm: building" >&2
  (cd "$ECONFIRM_ROOT" && npm run --silent build)
}
