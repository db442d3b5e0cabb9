#!/usr/bin/env bash
# Deploy (or upgrade) chaincode "econfirm" as a service: package → install on every peer →
# approve per peer org → commit → wait. The package label carries a hash of the built chaincode,
# so running this again after the chaincode changed bumps version and sequence, restarts the
# chaincode server with the new package id and keeps the ledger; unchanged code is a no-op.
#   deploy.sh [--force]   (--force: upgrade even if the code hash is unchanged)
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$NETWORK_SRC/lib/identity.sh"
source "$NETWORK_SRC/lib/nodes.sh"

force=0
[ "${1:-}" = --force ] && force=1
need_binaries
[ -f "$CC_DIR/dist/index.js" ] || die "no $CC_DIR/dist/index.js: build the chaincode first (npx tsc -b)"
for org in "${PEER_ORGS[@]}"; do proc_alive "$org" "$FABRIC_BIN/peer" || die "peer $org is not running: network/up.sh first"; done
t0=$SECONDS
CCD=$NET/chaincode
STATE=$CCD/deployed.json

# The private data collections of the chaincode definition (chaincode/README.md, Need to know on
# the channel): given at approve and commit, and part of the code hash below, so a change to them
# upgrades the definition like a change of the code.
COLLECTIONS=$NETWORK_SRC/collections.json
jq -e 'type == "array" and length > 0' "$COLLECTIONS" >/dev/null || die "$COLLECTIONS is not a JSON array of collections"

# What the chaincode server runs: its compiled JS (and the workspace lib it bundles at runtime),
# and the collections its definition carries.
code_hash() {
  local dirs=("$CC_DIR/dist") f
  [ "$CC_DIR" = "$ROOT/chaincode" ] && [ -d "$ROOT/common/dist" ] && dirs+=("$ROOT/common/dist")
  {
    sha256sum "$CC_DIR/package.json" "$COLLECTIONS"
    find "${dirs[@]}" -type f \( -name '*.js' -o -name '*.json' \) -print0 | sort -z | xargs -0 sha256sum
  } | sed "s#$ROOT/##" | sha256sum | cut -c1-12
}

# 0 when never committed (404); other errors (peer still starting) are retried, never read as 0.
committed_sequence() {
  ( use_admin operator
    for _ in $(seq 1 30); do
      if out=$(peer lifecycle chaincode querycommitted -C "$CHANNEL" -n "$CC_NAME" -O json 2>&1); then
        jq -r .sequence <<<"$out"; exit 0
      fi
      grep -q 'status: 404' <<<"$out" && { echo 0; exit 0; }
      sleep 1
    done
    die "cannot query the committed chaincode definition: $out" )
}

# operator_admin_invoke <function> [peer CLI args…]: the operator's econfirm admin submits a
# confirmation-contract transaction endorsed by the operator's and the regulator's peers, waits
# for its commit, and prints the CLI's output (with stderr).
operator_admin_invoke() {
  local fn=$1; shift
  ( use_admin operator
    export CORE_PEER_MSPCONFIGPATH=$IDS/operator/admin/msp
    peer chaincode invoke "${ORDERER_ARGS[@]}" -C "$CHANNEL" -n "$CC_NAME" \
      --peerAddresses "$(peer_addr operator)" --tlsRootCertFiles "$(peer_tls_ca operator)" \
      --peerAddresses "$(peer_addr regulator)" --tlsRootCertFiles "$(peer_tls_ca regulator)" \
      --waitForEvent -c "{\"function\":\"confirmation:$fn\",\"Args\":[]}" "$@" 2>&1 )
}

# The platform's pseudonym key (chaincode/README.md, Need to know on the channel): 32 random bytes
# the operator's admin writes once into the platform collection (confirmation:SetPseudonymKey, the
# bytes in the transient map, so no block carries them). Endorsed by the collection's members
# (operator and regulator): only their peers can read whether a key is set. Idempotent: once set,
# the chaincode refuses ALREADY_EXISTS, and that is success here. The bytes pass through the peer
# CLI's arguments for a moment (this machine's users could see them in ps): a production operator
# sets the key from its own key ceremony instead.
ensure_pseudonym_key() {
  local out
  mint_identity operator admin admin   # idempotent; up.sh mints it before deploying
  # Asked until it answers: right after a commit the chaincode server may not serve yet.
  for _ in $(seq 1 20); do
    out=$(operator_admin_invoke SetPseudonymKey --transient "{\"pseudonymKey\":\"$(openssl rand -base64 32)\"}") && { say "pseudonym key set"; return 0; }
    grep -q 'ALREADY_EXISTS' <<<"$out" && return 0
    sleep 1
  done
  die "cannot set the pseudonym key: $out"
}

# An operator-admin transaction that starts something once (StartStatisticsIndex,
# StartPrivateStore): asked first as a query (an evaluate: nothing written); an answer with
# `"started":true` means a submit would start it, so it is submitted and asked again. Prints the
# last answer; asked until it answers (right after a commit the chaincode server may not serve yet).
start_once() {
  local fn=$1 out=''
  start_query() {
    ( use_admin operator
      export CORE_PEER_MSPCONFIGPATH=$IDS/operator/admin/msp
      peer chaincode query -C "$CHANNEL" -n "$CC_NAME" -c "{\"function\":\"confirmation:$fn\",\"Args\":[]}" 2>&1 )
  }
  for _ in $(seq 1 20); do
    if out=$(start_query) && { ! grep -q '"started":true' <<<"$out" || { operator_admin_invoke "$fn" >/dev/null && out=$(start_query); }; }; then
      echo "$out"
      return 0
    fi
    sleep 1
  done
  echo "$out"
  return 1
}

# The regulator statistics' rows (chaincode/README.md, Confirmation contract): on a ledger with no
# request yet the index starts and the statistics read the small rows from then on; on one with
# requests the chaincode answers {"indexed":false} and they keep reading the records. Run on every
# deployment (idempotent); endorsed like any step.
# ECONFIRM_STATS_INDEX=off leaves it unstarted, as on a ledger from before the rows: the
# statistics benchmark's comparison (README, Regulator statistics as the ledger grows).
ensure_statistics_index() {
  local out
  if [ "${ECONFIRM_STATS_INDEX:-on}" = off ]; then say "statistics index left unstarted (ECONFIRM_STATS_INDEX=off)"; return 0; fi
  out=$(start_once StartStatisticsIndex) || die "cannot start the statistics index: $out"
  if grep -q '"indexed":true' <<<"$out"; then say "statistics read the rows"; else say "statistics read the records (requests from before the rows)"; fi
}

# The confirmation ledger's private store (chaincode/README.md, Need to know on the channel): from
# StartPrivateStore on, new requests, engagements, indexes, statistics rows and versions are private
# data of the platform collection under pseudonyms. Started on every deployment (idempotent); on a
# ledger with public requests from before, those stay public and readable.
# ECONFIRM_PRIVATE_STORE=off leaves it unstarted — as a ledger from before it
# (integration/private-store.test.ts starts one so, then moves it).
ensure_private_store() {
  local out
  if [ "${ECONFIRM_PRIVATE_STORE:-on}" = off ]; then say "private store left unstarted (ECONFIRM_PRIVATE_STORE=off)"; return 0; fi
  out=$(start_once StartPrivateStore) || die "cannot start the private store: $out"
  if grep -q '"publicRecords":true' <<<"$out"; then say "private store on (requests from before it stay public)"; else say "private store on: every request is private"; fi
}

hash=$(code_hash)
seq=$(committed_sequence)
if [ "$force" = 0 ] && [ -f "$STATE" ] && [ "$(jq -r .codeHash "$STATE")" = "$hash" ] \
   && [ "$(jq -r .sequence "$STATE")" = "$seq" ]; then
  for server in $(chaincode_servers); do start_chaincode "$(deployed_package_id "$server")" "$server"; done
  ensure_pseudonym_key
  ensure_private_store
  ensure_statistics_index
  say "chaincode $CC_NAME up to date (sequence $seq, code $hash)"
  write_network_json
  exit 0
fi
seq=$((seq + 1))
version=$seq
label=${CC_NAME}_${version}_$hash

# --- package: metadata.json + code.tar.gz{connection.json}; deterministic tar/gzip so the same
# label always gives the same package id. One package per chaincode server: the shared server's
# for every peer; in hosts mode each peer org's own (its server's address and TLS material), so
# each org installs and approves its own package id — Fabric keeps the package id local to each
# org's approval; the definition (name, version, sequence, policy, collections) is what must match.
declare -A PKG PKGID
for server in $(chaincode_servers); do
  sorg=$(chaincode_server_org "$server"); tls=$(chaincode_tls_dir "$server")
  pkgdir=$CCD/pkg/$label${sorg:+/$sorg}
  mkdir -p "$pkgdir"
  jq -n --arg addr "$(node_host "$server"):$(port "$server" 0)" \
    --rawfile ck "$tls/client.key" --rawfile cc "$tls/client.crt" --rawfile ca "$tls/ca.crt" \
    '{address:$addr, dial_timeout:"10s", tls_required:true, client_auth_required:true,
      client_key:$ck, client_cert:$cc, root_cert:$ca}' >"$pkgdir/connection.json"
  jq -n --arg l "$label" '{type:"ccaas", label:$l}' >"$pkgdir/metadata.json"
  tar -C "$pkgdir" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - connection.json | gzip -n >"$pkgdir/code.tar.gz"
  pkg=$CCD/$label${sorg:+-$sorg}.tgz   # the shared one where snapshot.sh installs it from
  tar -C "$pkgdir" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - metadata.json code.tar.gz | gzip -n >"$pkg"
  chmod 600 "$pkgdir/connection.json" "$pkgdir/code.tar.gz" "$pkg"  # holds a TLS key
  id=$(peer lifecycle chaincode calculatepackageid "$pkg")
  for org in "${PEER_ORGS[@]}"; do
    [ -z "$sorg" ] || [ "$sorg" = "$org" ] || continue
    PKG[$org]=$pkg; PKGID[$org]=$id
  done
done
say "deploying $CC_NAME version $version sequence $seq ($(printf '%s\n' "${PKGID[@]}" | sort -u | paste -sd' ' -))"

# Restart each server with its new id before the peers need it (the old definition keeps serving
# until commit, but the server's address now answers for the new package only: a short gap).
for server in $(chaincode_servers); do start_chaincode "${PKGID[$(node_org "$server")]}" "$server"; done

pids=()
for org in "${PEER_ORGS[@]}"; do
  (
    use_admin "$org"
    if ! peer lifecycle chaincode queryinstalled -O json 2>/dev/null | jq -e --arg id "${PKGID[$org]}" '.installed_chaincodes[]? | select(.package_id == $id)' >/dev/null; then
      retry 5 peer lifecycle chaincode install "${PKG[$org]}" >/dev/null
    fi
  ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || die "chaincode install failed"; done
say "installed on ${#PEER_ORGS[@]} peers ($((SECONDS - t0)) s)"

common=(--channelID "$CHANNEL" --name "$CC_NAME" --version "$version" --sequence "$seq"
        --signature-policy "$ENDORSEMENT_POLICY" --collections-config "$COLLECTIONS")
pids=()
for org in "${PEER_ORGS[@]}"; do
  # Asked again: right after start-up Raft may still be electing a leader. An attempt the CLI gave
  # up on may still have committed (a loaded machine, a slow BFT orderer): the next is then refused
  # "redefine uncommitted sequence … with unchanged content" — this org has approved exactly this
  # definition, which is what was asked.
  ( use_admin "$org"
    for _ in $(seq 1 30); do
      out=$(peer lifecycle chaincode approveformyorg "${ORDERER_ARGS[@]}" "${common[@]}" --package-id "${PKGID[$org]}" 2>&1) && exit 0
      grep -q 'with unchanged content' <<<"$out" && exit 0
      sleep 1
    done
    echo "$out" >&2; exit 1 ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || die "approveformyorg failed"; done
say "approved by ${#PEER_ORGS[@]} orgs ($((SECONDS - t0)) s)"

peers=()
for org in "${PEER_ORGS[@]}"; do peers+=(--peerAddresses "$(peer_addr "$org")" --tlsRootCertFiles "$(peer_tls_ca "$org")"); done
( use_admin operator; retry 30 peer lifecycle chaincode commit "${ORDERER_ARGS[@]}" "${common[@]}" "${peers[@]}" >/dev/null )

# Wait until every peer has the definition in its committed state.
for org in "${PEER_ORGS[@]}"; do
  ( use_admin "$org"
    for _ in $(seq 1 50); do
      [ "$(peer lifecycle chaincode querycommitted -C "$CHANNEL" -n "$CC_NAME" -O json 2>/dev/null | jq -r .sequence)" = "$seq" ] && exit 0
      sleep 0.2
    done
    die "peer $org does not see sequence $seq" )
done
# packageId: the operator's (the shared server's); packageIds: each peer org's (lib/common.sh deployed_package_id).
ids=$(for org in "${PEER_ORGS[@]}"; do jq -n --arg o "$org" --arg id "${PKGID[$org]}" '{($o): $id}'; done | jq -s add)
jq -n --arg name "$CC_NAME" --arg v "$version" --argjson s "$seq" --arg id "${PKGID[operator]}" --argjson ids "$ids" --arg h "$hash" --arg l "$label" \
  '{name:$name, version:$v, sequence:$s, packageId:$id, packageIds:$ids, label:$l, codeHash:$h}' >"$STATE"
ensure_pseudonym_key
ensure_private_store
ensure_statistics_index
write_network_json
say "chaincode $CC_NAME committed: version $version, sequence $seq ($((SECONDS - t0)) s)"
