#!/usr/bin/env bash
# One entry point: net.sh up [--consortium] [--bft] [--hosts=netns] | down | clean | deploy [--force] | identity <args> | org <args> | node <args> | snapshot <args> | netcut <args> | status
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cmd=${1:-}; [ $# -gt 0 ] && shift
case $cmd in
  up|down|clean|deploy|identity|org|node|snapshot|netcut) exec "$here/$cmd.sh" "$@" ;;
  status)
    # shellcheck source=lib/common.sh
    source "$here/lib/common.sh"
    for n in "${ORDERERS[@]}" "${PEER_ORGS[@]}" chaincode; do
      if proc_alive "$n" ""; then echo "$n running (pid $(cat "$(pidfile "$n")"))"; else echo "$n stopped"; fi
    done
    ;;
  *) echo "usage: net.sh up [--consortium] [--bft] [--hosts=netns] | down | clean | deploy [--force] | identity issue|revoke|list ... | org add|list ... | node kill|start|leader|pid ... | snapshot take|rebuild|list ... | netcut route|cut|heal|unroute|status ... | status" >&2; exit 2 ;;
esac
