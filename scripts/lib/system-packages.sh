# shellcheck shell=bash
# Debian packages econfirm needs beyond a stock machine, installed only when missing:
#   poppler-utils       pdfsig / pdftoppm (evidence PDF tests, third-party verification)
#   libnss3-tools       certutil: a throwaway NSS db so pdfsig can trust the org root
#   fonts-wqy-microhei  the CJK font embedded (subset) in evidence PDFs
#   chromium            the headless browser the portal's e2e test drives (playwright-core, no downloaded browser)
#   softhsm2            a PKCS#11 token (SoftHSM) for the gateway's HSM custody and HSM anchorer e2e tests
#   python3-venv        the venv module, for the fuzz suite's schemathesis (scripts/lib/fuzz-tools.sh)
#   iproute2            ss (the network scripts' port checks) and ip netns (network/up.sh --hosts=netns)
# Quiet and idempotent; needs root (or sudo) only when something is missing.
system_packages_install() {
  local missing=() pkg
  for pkg in poppler-utils libnss3-tools fonts-wqy-microhei chromium softhsm2 python3-venv iproute2; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  local log
  log=$(mktemp)
  echo "econfirm: installing Debian packages: ${missing[*]}"
  if ! { "${sudo[@]}" apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "econfirm: could not install ${missing[*]}" >&2
    return 1
  fi
  rm -f "$log"
}

# Run directly: install now.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  system_packages_install
fi
