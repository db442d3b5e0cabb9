#!/usr/bin/env bash
# host-exec.sh <namespace> <network dir> <own dir> <command>…: run a Fabric node as on its
# organization's own host (hosts mode, network/hosts.sh): inside the organization's network
# namespace, and in a mount namespace of its own where the network directory is an empty tmpfs
# but for the organization's directory — so the node cannot read another organization's keys,
# ledgers or the generated crypto tree, whatever a path in its configuration says. The caller's
# log redirection and pid file are the caller's (common.sh start_proc); `exec` keeps the pid.
set -euo pipefail
ns=$1 net=$2 own=$3
shift 3
[ -d "$own" ] || { echo "host-exec: no directory $own (network/hosts.sh materials)" >&2; exit 1; }
# unshare --mount makes the new mount namespace's mounts private: nothing done here reaches the
# machine's own mounts. The shell holds its own directory as its working directory while the
# tmpfs covers $net, then binds that directory (".") back in place.
exec ip netns exec "$ns" unshare --mount --propagation private -- bash -c '
  set -euo pipefail
  net=$1 own=$2
  shift 2
  back=$PWD
  cd "$own"
  mount -t tmpfs -o mode=0755,size=1m econfirm-other-hosts "$net"
  mkdir -p "$own"
  # -c: "." is the directory held, not the path (which now names the empty tmpfs).
  mount --no-canonicalize --bind . "$own"
  # The caller'"'"'s working directory (the chaincode server runs in chaincode/), when still visible.
  cd "$back" 2>/dev/null || cd /
  exec "$@"' host-exec "$net" "$own" "$@"
