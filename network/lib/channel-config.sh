# shellcheck shell=bash
# Source me after common.sh. Channel configuration updates, the one way every script changes the
# channel's config (identity.sh's CRLs, org.sh's new members): fetch the config block → decode →
# the caller edits config.json into modified.json → compute the update → envelope → sign → submit
# → wait until the orderer serves the new config block and every peer has committed it.
# The peer CLI runs as an org admin (use_admin) throughout; it must be set before each call.

# config_fetch work: the current config block into work/{config.pb,block.json,config.json};
# prints the config block's number.
config_fetch() {
  local work=$1
  peer channel fetch config "$work/config.pb" -c "$CHANNEL" "${ORDERER_ARGS[@]}" 2>/dev/null
  configtxlator proto_decode --type common.Block --input "$work/config.pb" >"$work/block.json"
  jq '.data.data[0].payload.data.config' "$work/block.json" >"$work/config.json"
  jq -r .header.number "$work/block.json"
}

# config_envelope work: work/config.json → work/modified.json as an unsigned update envelope,
# work/envelope.pb.
config_envelope() {
  local work=$1
  configtxlator proto_encode --type common.Config --input "$work/config.json" --output "$work/config.pbc"
  configtxlator proto_encode --type common.Config --input "$work/modified.json" --output "$work/modified.pbc"
  configtxlator compute_update --channel_id "$CHANNEL" --original "$work/config.pbc" --updated "$work/modified.pbc" --output "$work/update.pb"
  configtxlator proto_decode --type common.ConfigUpdate --input "$work/update.pb" |
    jq --arg ch "$CHANNEL" '{payload:{header:{channel_header:{channel_id:$ch, type:2}}, data:{config_update:.}}}' >"$work/envelope.json"
  configtxlator proto_encode --type common.Envelope --input "$work/envelope.json" --output "$work/envelope.pb"
}

# config_await work n0: waits until the orderer serves a config block other than work/config.pb
# (block n0) and every peer's height is past it; prints the new config block's number. Compared as
# bytes, decoded once: decoding a config block of 866 orgs (4 MB) takes configtxlator 7 s. Called as
# n=$(config_await …): a failure exits that subshell, and the assignment fails the caller.
config_await() {
  local work=$1 n0=$2 n org2 h changed=
  for _ in $(seq 1 100); do
    peer channel fetch config "$work/new.pb" -c "$CHANNEL" "${ORDERER_ARGS[@]}" 2>/dev/null
    if ! cmp -s "$work/new.pb" "$work/config.pb"; then changed=1; break; fi
    sleep 0.2
  done
  [ -n "$changed" ] || die "config update not ordered"
  n=$(configtxlator proto_decode --type common.Block --input "$work/new.pb" | jq -r .header.number)
  [ "$n" -gt "$n0" ] || die "the orderer's config block $n is not after block $n0"
  for org2 in "${PEER_ORGS[@]}"; do
    ( use_admin "$org2"   # qscc proposals are checked against the peer's local MSP: own admin
      for _ in $(seq 1 100); do
        h=$(peer channel getinfo -c "$CHANNEL" 2>/dev/null | sed 's/^Blockchain info: //' | jq -r .height || true)
        [ "${h:-0}" -gt "$n" ] && exit 0
        sleep 0.2
      done
      die "peer $org2 did not reach config block $n" ) || exit 1
  done
  echo "$n"
}
