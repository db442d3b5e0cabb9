#!/usr/bin/env bash
# Fabric ledger snapshots of the channel, and a peer rebuilt from one (Fabric v3 `peer snapshot`,
# `peer channel joinbysnapshot`):
#   snapshot.sh take [ORG]          ORG's peer (default operator) writes a snapshot of the channel at
#                                   its last committed block; it is copied to
#                                   $ECONFIRM_NETWORK_DIR/snapshots/<channel>/<block>/ and its path
#                                   printed (stdout), with the block and the snapshot hash (stderr)
#   snapshot.sh rebuild ORG [DIR]   ORG's peer from the snapshot DIR (default: the newest taken): its
#                                   files checked against its metadata's hashes, then the peer
#                                   stopped, its data moved aside (nodes/ORG/data.before-rebuild-<time>),
#                                   started empty, the chaincode package installed, the channel joined
#                                   from the snapshot; waits until it is at the other peers' height
#                                   and the chaincode answers on it
#   snapshot.sh list                the snapshots taken (block, hash, from which peer)
# A snapshot holds the state, the transaction ids and the hashes of private data, not the blocks
# before it and not private data (network/README.md, "Backups and recovery").
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
refuse_in_hosts_mode snapshot.sh
source "$NETWORK_SRC/lib/nodes.sh"

SNAPSHOTS=$NET/snapshots/$CHANNEL
usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
peer_org() { has_peer "$1" || die "'$1' runs no peer (one of: ${PEER_ORGS[*]})"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

peer_height() {  # org → the height its peer serves (empty when it does not answer or has no channel)
  ( use_admin "$1"; peer channel getinfo -c "$CHANNEL" 2>/dev/null | sed -n 's/^Blockchain info: //p' | jq -r .height 2>/dev/null ) || true
}

take() {
  local org=$1 t0 height root done_dir block dest
  peer_org "$org"
  proc_alive "$org" "$FABRIC_BIN/peer" || die "peer $org is not running"
  t0=$(now)
  height=$(peer_height "$org")
  [ -n "$height" ] || die "peer $org does not serve channel $CHANNEL"
  root=$NODES/$org/snapshots/completed/$CHANNEL
  ( use_admin "$org"
    # Block 0 = the last committed block when the request arrives (height-1 or later under load);
    # asked again at the same block, the peer has it already and says so.
    for i in $(seq 1 10); do
      out=$(peer snapshot submitrequest -c "$CHANNEL" -b 0 --peerAddress "$CORE_PEER_ADDRESS" --tlsRootCertFile "$CORE_PEER_TLS_ROOTCERT_FILE" 2>&1) && break
      grep -q 'snapshot already generated' <<<"$out" && break
      [ "$i" -lt 10 ] || die "peer $org refused the snapshot request: $out"
      sleep 1
    done
    for _ in $(seq 1 300); do
      [ "$(peer snapshot listpending -c "$CHANNEL" --peerAddress "$CORE_PEER_ADDRESS" --tlsRootCertFile "$CORE_PEER_TLS_ROOTCERT_FILE" 2>/dev/null |
        sed -n 's/^Successfully got pending snapshot requests: //p')" = "[]" ] && exit 0
      sleep 0.2
    done
    die "peer $org still has a pending snapshot request after 60 s; see $LOGS/$org.log" )
  # The newest completed snapshot at or after the block that was last when we asked.
  block=$(find "$root" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | awk -v min=$((height - 1)) '$1 >= min' | sort -n | tail -1)
  [ -n "$block" ] || die "peer $org wrote no snapshot at or after block $((height - 1)) in $root"
  done_dir=$root/$block
  [ -f "$done_dir/_snapshot_additional_metadata.json" ] || die "$done_dir is incomplete"
  # Copied out of the peer's folder: the operator's copy, to keep or carry to another machine.
  dest=$SNAPSHOTS/$block
  rm -rf "$dest.partial"; mkdir -p "$SNAPSHOTS"
  cp -r "$done_dir" "$dest.partial"
  jq -n --arg org "$org" --arg at "$(date -u +%FT%TZ)" '{from: $org, takenAt: $at}' >"$dest.partial/econfirm-snapshot.json"
  rm -rf "$dest"; mv "$dest.partial" "$dest"
  say "snapshot of $CHANNEL at block $block from peer $org, hash $(jq -r .snapshot_hash "$dest/_snapshot_additional_metadata.json") ($(since "$t0") s)"
  echo "$dest"
}

newest() {
  local b
  b=$(find "$SNAPSHOTS" -mindepth 1 -maxdepth 1 -type d -regex '.*/[0-9]+' -printf '%f\n' 2>/dev/null | sort -n | tail -1)
  [ -n "$b" ] || die "no snapshot in $SNAPSHOTS: snapshot.sh take first"
  echo "$SNAPSHOTS/$b"
}

# The highest height any other running peer serves: where the rebuilt peer must arrive.
channel_height() {
  local org=$1 o h max=0
  for o in "${PEER_ORGS[@]}"; do
    [ "$o" = "$org" ] && continue
    proc_alive "$o" "$FABRIC_BIN/peer" || continue
    h=$(peer_height "$o"); [ -n "$h" ] && [ "$h" -gt "$max" ] && max=$h
  done
  echo "$max"
}

# Before anything is stopped: every file's SHA-256 is the one the signable metadata lists, and the
# snapshot hash is that metadata's (what the peer checks at join, and what an org compares with
# the snapshot_hash other orgs' peers report for the same block).
check_snapshot() {
  local dir=$1 f want got
  while IFS=$'\t' read -r f want; do
    [ -f "$dir/$f" ] || die "$dir lacks $f, which its metadata lists"
    got=$(sha256sum "$dir/$f" | cut -d' ' -f1)
    [ "$got" = "$want" ] || die "$dir/$f does not match the snapshot's metadata (sha256 $got, listed $want): damaged or altered"
  done < <(jq -r '.snapshot_files_raw_hashes | to_entries[] | "\(.key)\t\(.value)"' "$dir/_snapshot_signable_metadata.json")
  want=$(jq -r .snapshot_hash "$dir/_snapshot_additional_metadata.json")
  got=$(sha256sum "$dir/_snapshot_signable_metadata.json" | cut -d' ' -f1)
  [ "$got" = "$want" ] || die "$dir/_snapshot_signable_metadata.json does not match its snapshot_hash ($got, recorded $want)"
}

rebuild() {
  local org=$1 dir=${2:-} t0 t1 aside label pkg block target h
  peer_org "$org"
  [ -n "$dir" ] || dir=$(newest)
  dir=$(cd "$dir" && pwd) || die "no snapshot folder $dir"
  [ -f "$dir/_snapshot_signable_metadata.json" ] && [ -f "$dir/_snapshot_additional_metadata.json" ] || die "$dir is not a Fabric ledger snapshot"
  [ "$(jq -r .channel_name "$dir/_snapshot_signable_metadata.json")" = "$CHANNEL" ] || die "$dir is a snapshot of channel $(jq -r .channel_name "$dir/_snapshot_signable_metadata.json"), not $CHANNEL"
  check_snapshot "$dir"
  block=$(jq -r .last_block_number "$dir/_snapshot_signable_metadata.json")
  label=$(jq -r .label "$NET/chaincode/deployed.json" 2>/dev/null) || die "no chaincode deployed ($NET/chaincode/deployed.json)"
  pkg=$NET/chaincode/$label.tgz
  [ -f "$pkg" ] || die "no chaincode package $pkg (network/deploy.sh writes it)"
  t0=$(now)
  stop_proc "$org"
  if [ -d "$NODES/$org/data" ]; then
    # Moved aside, not deleted: it may hold private data the snapshot does not carry.
    aside=$NODES/$org/data.before-rebuild-$(date -u +%Y%m%dT%H%M%SZ)
    mv "$NODES/$org/data" "$aside"
    say "peer $org's old data moved to $aside"
  fi
  start_peer "$org"
  wait_healthz "$org" "http://127.0.0.1:$(port "$org" 2)"
  ( use_admin "$org"
    # The package before the channel: the committed definition and this org's approval come with the
    # snapshot's state (the approval as its private-data hash, which is what the peer matches the
    # installed package against), the package itself lives only in the peer's own folder.
    retry 10 peer lifecycle chaincode install "$pkg" >/dev/null
    t1=$(now)
    retry 10 peer channel joinbysnapshot --snapshotpath "$dir" >/dev/null
    for _ in $(seq 1 600); do
      peer channel joinbysnapshotstatus 2>/dev/null | grep -q 'No joinbysnapshot operation is in progress' && break
      sleep 0.2
    done
    say "peer $org joined $CHANNEL from the snapshot at block $block ($(since "$t1") s)" )
  target=$(channel_height "$org")
  for _ in $(seq 1 600); do
    h=$(peer_height "$org")
    [ -n "$h" ] && [ "$h" -ge "$target" ] && break
    sleep 0.2
  done
  [ -n "$h" ] && [ "$h" -ge "$target" ] || die "peer $org at height ${h:-?} after 120 s, the channel at $target; see $LOGS/$org.log"
  ( use_admin "$org"
    retry 30 peer chaincode query -C "$CHANNEL" -n "$CC_NAME" -c '{"Args":["org.hyperledger.fabric:GetMetadata"]}' >/dev/null ) ||
    die "the chaincode does not answer on peer $org; see $LOGS/$org.log"
  say "peer $org rebuilt from the snapshot at block $block: height $h (the channel's $target), chaincode answering ($(since "$t0") s in all)"
}

list() {
  local d
  for d in "$SNAPSHOTS"/*/; do
    [ -f "$d/_snapshot_additional_metadata.json" ] || continue
    printf '%s\tblock %s\thash %s\tfrom %s\n' "${d%/}" "$(basename "$d")" "$(jq -r .snapshot_hash "$d/_snapshot_additional_metadata.json")" "$(jq -r '.from // "?"' "$d/econfirm-snapshot.json" 2>/dev/null)"
  done
}

cmd=${1:-}; [ $# -gt 0 ] && shift
case $cmd in
  take) [ $# -le 1 ] || usage; take "${1:-operator}" ;;
  rebuild) [ $# -ge 1 ] && [ $# -le 2 ] || usage; rebuild "$@" ;;
  list) list ;;
  *) usage ;;
esac
