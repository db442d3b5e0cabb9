#!/usr/bin/env bash
# Starts econfirm on this machine: installs what is missing (Node 24, npm dependencies,
# Fabric binaries), builds, brings up the Fabric network with the chaincode, and loads the
# demo institutions into the registry. Safe to run again: a running network is reused.
set -euo pipefail
ECONFIRM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ECONFIRM_ROOT"
source scripts/lib/node-env.sh
source scripts/lib/deps.sh
source scripts/lib/network-state.sh
source scripts/lib/system-packages.sh

system_packages_install
deps_install
build_all
network/install-fabric.sh
if network_is_up; then
  echo "econfirm: network already running in $ECONFIRM_NETWORK_DIR; deploying the current chaincode"
  network/deploy.sh
else
  network/up.sh
fi
node clients/cli/dist/main.js demo seed

cat <<INFO

econfirm is up.
  network descriptor : $ECONFIRM_NETWORK_DIR/network.json
  node logs          : $ECONFIRM_NETWORK_DIR/logs/
  institutions       : node clients/cli/dist/main.js institutions list
  stop / wipe        : network/down.sh   /   network/clean.sh
INFO
