# shellcheck shell=bash
# Source me after common.sh. Hosts mode (up.sh --hosts=netns): each organization's nodes on a host
# of its own, made on this machine — a network namespace per organization with one address on a
# bridge (10.231.S.0/24, S from the port base; this machine is .1 and reaches every host, the
# hosts reach each other and nothing else), and a directory per organization holding only what
# that organization would have on its own machine: its nodes' keys and certificates, their ledgers.
# Every other organization's certificates reach a node the way they would across machines: in the
# channel configuration. lib/host-exec.sh starts each node so that it sees nothing else of $NET.
# Needs root (ip netns, mount); the names: namespaces ec<S>-<org>, bridge ec<S>-br, veths ve<S>-<n>.

HOST_ORGS=(orderer operator bank1 firm1 regulator)

hosts_up() {
  local s br org ns idx veth
  command -v ip >/dev/null || die "hosts mode needs iproute2 (ip)"
  s=$(hosts_subnet); br=$(host_ns br)
  if ! ip link show "$br" >/dev/null 2>&1; then
    ip link add "$br" type bridge
    ip addr add "$s.1/24" dev "$br"
  fi
  ip link set "$br" up
  for org in "${HOST_ORGS[@]}"; do
    ns=$(host_ns "$org"); idx=$(org_host_index "$org"); veth=ve${s##*.}-$idx
    [ -e "/run/netns/$ns" ] || ip netns add "$ns"
    if ! ip link show "$veth" >/dev/null 2>&1; then
      ip link add "$veth" type veth peer name eth0 netns "$ns"
      ip link set "$veth" master "$br" up
      ip -n "$ns" addr add "$s.$idx/24" dev eth0
      ip -n "$ns" link set eth0 up
      ip -n "$ns" link set lo up
    fi
  done
  say "hosts: $(for org in "${HOST_ORGS[@]}"; do printf '%s %s.%s  ' "$org" "$s" "$(org_host_index "$org")"; done)(namespaces $(host_ns '*'))"
}

hosts_down() {
  local org ns br
  br=$(host_ns br)
  for org in "${HOST_ORGS[@]}"; do
    ns=$(host_ns "$org")
    [ -e "/run/netns/$ns" ] && ip netns del "$ns"
  done
  if ip link show "$br" >/dev/null 2>&1; then ip link del "$br"; fi
  return 0
}

# Copy each node's own msp/ and tls/ (and each peer org's chaincode server TLS pair) from the
# generated tree into its organization's directory; once, so that ledgers and keys stay put.
host_materials() {
  local node dir
  for node in "${ORDERERS[@]}" "${PEER_ORGS[@]}"; do
    dir=$(node_material "$node")
    [ -d "$dir" ] && continue
    mkdir -p "$dir"
    cp -r "$(node_crypto_dir "$node")/msp" "$(node_crypto_dir "$node")/tls" "$dir/"
  done
  # Each peer org's chaincode server pair (the client pair its peer uses travels in the package).
  for node in $(chaincode_servers); do
    dir=$(host_dir "$(node_org "$node")")/chaincode/tls
    [ -d "$dir" ] && continue
    mkdir -p "$dir"
    cp "$(chaincode_tls_dir "$node")/server.crt" "$(chaincode_tls_dir "$node")/server.key" "$(chaincode_tls_dir "$node")/ca.crt" "$dir/"
  done
  chmod -R go-rwx "$NET/hosts"
}
