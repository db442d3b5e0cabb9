#!/usr/bin/env bash
# Add a member organization to the running channel (a bank or an audit firm joining the platform).
#   org.sh add <orgKey> [--signers org,org,...]   e.g. add bank38   (default signers: operator,regulator)
#   org.sh list                                   the members added after the genesis block
# The new org gets its CA, TLS CA and admin (cryptogen, as the genesis members without a peer), its
# MSP goes into the channel's Application group (and its identities into the Application Readers and
# Writers signature policies) by a config update, which the Application Admins
# policy (2 of the operator's, bank1's, firm1's and the regulator's admins, lib/generate.sh) must
# accept: each signer's admin signs it. On a single host this script holds every signer's admin key;
# across hosts each admin runs `peer channel signconfigtx` on the same envelope (network/README.md).
# Prints one JSON line: {org, mspId, configBlock, configBlockBytes, seconds, signers}.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
refuse_in_hosts_mode org.sh
source "$NETWORK_SRC/lib/generate.sh"
source "$NETWORK_SRC/lib/identity.sh"
source "$NETWORK_SRC/lib/channel-config.sh"

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# The org's crypto, made once: cryptogen for this org alone, into the same crypto tree.
create_org_crypto() {
  local org=$1 f=$NET/config/crypto-config-$1.yaml
  [ -d "$(org_dir "$org")" ] && return 0
  mkdir -p "$NET/config"
  printf '%s\n' "PeerOrgs:" "  - Name: ${org^}" "    Domain: $(org_domain "$org")" "    EnableNodeOUs: true" \
    "    Template: {Count: 0}" "    Users: {Count: 0}" >"$f"
  cryptogen generate --config="$f" --output="$CRYPTO" >/dev/null
  find "$(org_dir "$org")" \( -name 'priv_sk' -o -name '*.key' \) -exec chmod 600 {} +
  echo "$org" >>"$NET/added-orgs"
  unrestrict_org_ca "$org"
  drop_peerless_tls_roots "$org"
  say "created $(org_msp "$org"): CA, TLS CA and admin in $(org_dir "$org")"
}

# The org's group as the channel config holds it (configtxgen -printOrg of the same entry the
# genesis profile writes).
org_group_json() {
  local org=$1 dir
  dir=$(mktemp -d)
  { echo "Organizations:"; org_configtx_entry "$org"; } >"$dir/configtx.yaml"
  configtxgen -configPath "$dir" -printOrg "$(org_msp "$org")" 2>"$dir/err" || { cat "$dir/err" >&2; rm -rf "$dir"; die "configtxgen -printOrg failed"; }
  rm -rf "$dir"
}

add_org() {
  local org=$1 signers=$2 t0=$SECONDS msp work n0 n s last out bytes
  local -a list
  msp=$(org_msp "$org")
  IFS=, read -r -a list <<<"$signers"
  [ "${#list[@]}" -ge 1 ] || die "no signers"
  for s in "${list[@]}"; do
    grep -qx "$s" <<<"$(all_orgs)" || die "unknown signer org '$s'"
    [ "$s" != "$org" ] || die "$org cannot sign its own admission"
  done
  work=$NET/channel/add-$org
  rm -rf "$work"; mkdir -p "$work"
  use_admin "${list[0]}" operator
  n0=$(config_fetch "$work")
  if jq -e --arg m "$msp" '.channel_group.groups.Application.groups | has($m)' "$work/config.json" >/dev/null; then
    die "$msp is already a member of channel $CHANNEL"
  fi
  create_org_crypto "$org"
  org_group_json "$org" >"$work/org.json"
  # The group, and the org's identities in the Application Readers and Writers signature policies
  # (lib/generate.sh application_member_rule; a network made before them has ImplicitMeta ones,
  # which need nothing).
  jq --arg m "$msp" --slurpfile g "$work/org.json" '
    def admit($roles):
      if .type == 1 then
        (.value.identities | length) as $n
        | .value.identities += [$roles[] | {principal: {msp_identifier: $m, role: .}, principal_classification: "ROLE"}]
        | .value.rule.n_out_of.rules += [range($n; $n + ($roles | length)) | {signed_by: .}]
      else . end;
    .channel_group.groups.Application.groups[$m] = $g[0]
    | .channel_group.groups.Application.policies.Readers.policy |= admit(["MEMBER"])
    | .channel_group.groups.Application.policies.Writers.policy |= admit(["ADMIN", "CLIENT"])' \
    "$work/config.json" >"$work/modified.json"
  config_envelope "$work"
  # Every signer but the last signs the envelope; the last signs as it submits.
  last=${list[${#list[@]}-1]}
  for s in "${list[@]:0:${#list[@]}-1}"; do
    ( use_admin "$s" operator; peer channel signconfigtx -f "$work/envelope.pb" >/dev/null )
  done
  use_admin "$last" operator
  if ! out=$(peer channel update -f "$work/envelope.pb" -c "$CHANNEL" "${ORDERER_ARGS[@]}" 2>&1); then
    # The orderer's refusal names the policy; nothing changed on the channel.
    die "the orderer refused adding $msp (signed by ${list[*]}): $(grep -o 'BAD_REQUEST.*\|Error: .*' <<<"$out" | head -1)"
  fi
  n=$(config_await "$work" "$n0")
  bytes=$(stat -c %s "$work/new.pb")   # the config block config_await fetched
  write_network_json
  say "$msp joined channel $CHANNEL in config block $n ($bytes bytes), signed by ${list[*]}, in $((SECONDS - t0)) s; every peer has it"
  jq -cn --arg org "$org" --arg msp "$msp" --argjson n "$n" --argjson bytes "$bytes" --argjson s "$((SECONDS - t0))" --arg signers "$signers" \
    '{org: $org, mspId: $msp, configBlock: $n, configBlockBytes: $bytes, seconds: $s, signers: ($signers | split(","))}'
}

[ $# -ge 1 ] || usage
cmd=$1; shift
case $cmd in
  add)
    [ $# -ge 1 ] || usage
    org=$1; shift
    signers=operator,regulator
    while [ $# -gt 0 ]; do
      case $1 in
        --signers) [ $# -ge 2 ] || usage; signers=$2; shift 2 ;;
        *) usage ;;
      esac
    done
    [[ $org =~ ^(bank|firm)[1-9][0-9]{0,3}$ ]] || die "org key '$org': bank<n> or firm<n> (the MSP is named from it: bank38 -> Bank38MSP)"
    need_binaries
    add_org "$org" "$signers"
    ;;
  list) cat "$NET/added-orgs" 2>/dev/null || true ;;
  *) usage ;;
esac
