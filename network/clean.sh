#!/usr/bin/env bash
# Stop the network and wipe $ECONFIRM_NETWORK_DIR (crypto, ledgers, logs, network.json).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

"$NETWORK_SRC/down.sh"
# Hosts mode: the namespaces and the bridge go with the network (lib/hosts.sh).
if [ "$(net_hosts)" = netns ]; then
  # shellcheck source=lib/hosts.sh
  source "$NETWORK_SRC/lib/hosts.sh"
  hosts_down
fi
# Guard against wiping something that is not a network dir (e.g. a mistyped env var).
case $NET in /|"$ROOT"|"$HOME") die "refusing to delete $NET" ;; esac
rm -rf "$NET"
say "removed $NET"
