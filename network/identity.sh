#!/usr/bin/env bash
# Issue and revoke user identities (X.509 with econfirm.role / econfirm.institution attributes).
#   identity.sh issue  <orgKey> <name> <role> [institution]   e.g. issue firm1 auditor3 auditor
#   identity.sh revoke <orgKey> <name>
#   identity.sh revoke-cert <orgKey> <cert.pem>   revoke an evidence / signing-key certificate (CRL of its issuing CA)
#   identity.sh list
#   identity.sh certify  <orgKey> <name> <pubkey.pem>  certificate chain (PEM) for a public key, by the org CA
#   identity.sh evidence <orgKey> <institution> [label] evidence signing key + certificate (prints the folder)
# Roles: auditor client-signer bank-officer bank-reviewer mortgage-officer registrar registry-reviewer regulator admin.
# Institution defaults to the org's (FIRM1, BANK7, ...); operator-hosted clients and mortgage
# registries name theirs (CLIENT2, MREG2). Both commands update network.json.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$NETWORK_SRC/lib/identity.sh"
source "$NETWORK_SRC/lib/channel-config.sh"

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
known_org() { grep -qx "$1" <<<"$(all_orgs)" || die "unknown org '$1' (orgs: $(all_orgs | head -6 | tr '\n' ' ')...)"; }

# Revocation = the issuing CA's CRL, carried in the org's MSP in the channel config. Peers check
# every proposal's creator against the channel MSP, so a revoked identity is refused everywhere;
# evidence verifiers read the same list, so a revoked evidence or signing-key certificate fails too.

# revoke_cert org cert.pem: revokes the (first) certificate in the file with whichever of the org's
# CAs issued it (the org CA or its evidence CA) and publishes the org's CRLs. Prints the serial.
revoke_cert() {
  local org=$1 file=$2 work cert issuer cadir serial
  work=$(mktemp -d)
  cert=$work/cert.pem
  openssl x509 -in "$file" -out "$cert" 2>/dev/null || { rm -rf "$work"; die "$file holds no PEM certificate"; }
  issuer=$(openssl x509 -in "$cert" -noout -issuer_hash)
  if [ "$issuer" = "$(openssl x509 -in "$(org_ca_cert "$org")" -noout -subject_hash)" ]; then
    cadir=$(ca_db "$org")
  elif [ "$issuer" = "$(openssl x509 -in "$(evidence_ca "$org")/cert.pem" -noout -subject_hash)" ]; then
    cadir=$(evidence_ca_db "$org")
  else
    rm -rf "$work"; die "$file was not issued by a CA of $org"
  fi
  # Check the signature too: a look-alike issuer name is not the CA.
  openssl verify -partial_chain -CAfile "$(sed -n 's/^certificate = //p' "$cadir/ca.cnf")" "$cert" >/dev/null 2>&1 ||
    { rm -rf "$work"; die "$file does not verify under its issuer in $org"; }
  serial=$(openssl x509 -in "$cert" -noout -serial | cut -d= -f2)
  if ! grep -q "^R.*$serial" "$cadir/index.txt"; then
    openssl ca -config "$cadir/ca.cnf" -revoke "$cert" >/dev/null 2>&1
  fi
  openssl ca -config "$cadir/ca.cnf" -gencrl -out "$cadir/crl.pem" 2>/dev/null
  rm -rf "$work"
  publish_crls "$org" "revoke-$org-$serial"
  echo "$serial"
}

# publish_crls org tag: sets the org's MSP revocation_list to all its CAs' CRLs (a config update
# signed by the org's admin) and waits until every peer has committed it.
publish_crls() {
  local org=$1 tag=$2 work msp n0 n crls f
  # Keep the org's local MSP in step (used if the genesis block is ever regenerated).
  mkdir -p "$(org_dir "$org")/msp/crls"
  rm -f "$(org_dir "$org")/msp/crls/"*.pem
  crls='[]'
  while read -r f; do
    cp "$f" "$(org_dir "$org")/msp/crls/$(basename "$(dirname "$f")")-crl.pem"
    crls=$(jq --arg c "$(base64 -w0 "$f")" '. + [$c]' <<<"$crls")
  done < <(org_crl_files "$org")

  msp=$(org_msp "$org")
  work=$NET/channel/$tag
  rm -rf "$work"; mkdir -p "$work"
  use_admin "$org" operator   # the org's own admin: the MSP value's mod_policy is the org's Admins
  n0=$(config_fetch "$work")
  jq --arg m "$msp" --argjson crls "$crls" \
    '.channel_group.groups.Application.groups[$m].values.MSP.value.config.revocation_list = $crls' \
    "$work/config.json" >"$work/modified.json"
  config_envelope "$work"
  # `peer channel update` signs with the submitter (this org's admin): enough for the org's
  # Admins policy, OR('<Org>MSP.admin'), which governs its own MSP definition.
  retry 10 peer channel update -f "$work/envelope.pb" -c "$CHANNEL" "${ORDERER_ARGS[@]}" >/dev/null
  n=$(config_await "$work" "$n0")
  say "$msp revocation list ($(jq length <<<"$crls") CRLs) in channel config block $n, all peers have it"
}

revoke() {
  local org=$1 name=$2 d serial
  d=$IDS/$org/$name
  [ -f "$d/meta.json" ] || die "no identity $org/$name"
  serial=$(revoke_cert "$org" "$d/msp/signcerts/cert.pem")
  jq '.revoked = true' "$d/meta.json" >"$d/meta.json.tmp" && mv "$d/meta.json.tmp" "$d/meta.json"
  write_network_json
  say "revoked $org/$name (serial $serial)"
}

[ $# -ge 1 ] || usage
cmd=$1; shift
case $cmd in
  issue)
    [ $# -ge 3 ] && [ $# -le 4 ] || usage
    known_org "$1"
    [ -f "$IDS/$1/$2/meta.json" ] && die "identity $1/$2 already exists"
    mint_identity "$@"
    write_network_json
    cat "$IDS/$1/$2/meta.json"
    ;;
  revoke)
    [ $# -eq 2 ] || usage
    known_org "$1"
    revoke "$1" "$2"
    ;;
  revoke-cert)
    [ $# -eq 2 ] || usage
    known_org "$1"
    revoke_cert "$1" "$2"
    ;;
  certify)
    [ $# -eq 3 ] || usage
    known_org "$1"
    certify_key "$1" "$2" "$3"
    ;;
  evidence)
    [ $# -eq 2 ] || [ $# -eq 3 ] || usage
    known_org "$1"
    mint_evidence_identity "$1" "$2" "${3:-}"
    echo "$NET/evidence/$1/${3:-$2}"
    ;;
  list)
    jq -r '.orgs[] | .key as $k | .identities[] | [$k, .name, .role, .institution, (if .revoked then "REVOKED" else "" end)] | @tsv' "$NET/network.json"
    ;;
  *) usage ;;
esac
