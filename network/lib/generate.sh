# shellcheck shell=bash
# Source me after common.sh. Generates crypto material (cryptogen) and the channel's genesis
# block (configtxgen) from configs written here, so the org list can grow to the consortium.

write_crypto_config() {
  local org f=$NET/config/crypto-config.yaml i
  mkdir -p "$NET/config"
  {
    echo "OrdererOrgs:"
    # 127.0.0.1 in the TLS certificates: every node is dialled by IP, no /etc/hosts needed (in
    # hosts mode its organization's address too: node_sans).
    if [ "$(net_consensus)" = bft ]; then
      # One ordering org per orderer: each institution holds only its own orderer's keys.
      for i in "${ORDERERS[@]}"; do
        echo "  - Name: $(orderer_msp "$i" | sed 's/MSP$//')"
        echo "    Domain: $(orderer_domain "$i")"
        echo "    EnableNodeOUs: true"
        echo "    Specs: [{Hostname: $i, SANS: [$(node_sans "$i")]}]"
      done
    else
      echo "  - Name: Orderer"
      echo "    Domain: orderer.$DOMAIN"
      echo "    EnableNodeOUs: true"
      echo "    Specs:"
      for i in "${ORDERERS[@]}"; do
        echo "      - Hostname: $i"
        echo "        SANS: [$(node_sans "$i")]"
      done
    fi
    echo "PeerOrgs:"
    for org in $(all_orgs); do
      echo "  - Name: ${org^}"
      echo "    Domain: $(org_domain "$org")"
      echo "    EnableNodeOUs: true"
      # MSP-only consortium members get just CA, TLS CA and Admin@: no peer, no users.
      if has_peer "$org"; then echo "    Template: {Count: 1, SANS: [$(node_sans "$org")]}"
      else echo "    Template: {Count: 0}"; fi
      echo "    Users: {Count: 0}"
    done
  } >"$f"
}

# The profile's Orderer section. Raft: three consenters of OrdererMSP. BFT (SmartBFT): four
# consenters with ids, signing identities and TLS certificates (ConsenterMapping), each of its own
# ordering org; configtxgen then replaces BlockValidation by "3 of the 4 consenters' identities"
# (Fabric's policies.EncodeBFTBlockVerificationPolicy), so a block needs a quorum of signatures.
# ECONFIRM_BATCH_MAX_MESSAGES (default 100): transactions per block at most. The ledger-audit
# benchmark sets 1, so that it builds a chain of 10,000 blocks in minutes (test/bench/run.sh).
batch_max_messages() {
  local n=${ECONFIRM_BATCH_MAX_MESSAGES:-100}
  [[ $n =~ ^[1-9][0-9]{0,3}$ ]] || die "ECONFIRM_BATCH_MAX_MESSAGES must be a whole number from 1 to 9999, not '$n'"
  echo "$n"
}

write_orderer_section() {
  local o msp id=0 batch
  batch=$(batch_max_messages)
  if [ "$(net_consensus)" = bft ]; then
    cat <<EOF
      OrdererType: BFT
      BatchTimeout: 100ms
      BatchSize: {MaxMessageCount: $batch, AbsoluteMaxBytes: 10 MB, PreferredMaxBytes: 2 MB}
      # SmartBFT cuts a batch at RequestBatchMaxCount requests or RequestBatchMaxInterval (the
      # BatchTimeout above is Raft's). Timeouts shorter than the library's defaults (heartbeat 1 min,
      # complain 20 s) so that a stopped leader is replaced in seconds, not a minute.
      SmartBFT:
        RequestBatchMaxCount: $batch
        RequestBatchMaxInterval: 100ms
        RequestBatchMaxBytes: 10485760
        RequestForwardTimeout: 2s
        RequestComplainTimeout: 6s
        RequestAutoRemoveTimeout: 3m0s
        ViewChangeResendInterval: 5s
        ViewChangeTimeout: 20s
        LeaderHeartbeatTimeout: 10s
        LeaderHeartbeatCount: 10
        CollectTimeout: 1s
        IncomingMessageBufferSize: 200
        RequestPoolSize: 100000
        # A restarted orderer pulls the blocks it missed from the others at once, not when traffic comes.
        SyncOnStart: true
      ConsenterMapping:
EOF
    for o in "${ORDERERS[@]}"; do
      id=$((id + 1))
      cat <<EOF
        - ID: $id
          Host: $(node_host "$o")
          Port: $(port "$o" 0)
          MSPID: $(orderer_msp "$o")
          Identity: $(orderer_dir "$o")/msp/signcerts/$(orderer_name "$o")-cert.pem
          ClientTLSCert: $(orderer_dir "$o")/tls/server.crt
          ServerTLSCert: $(orderer_dir "$o")/tls/server.crt
EOF
    done
  else
    cat <<EOF
      OrdererType: etcdraft
      # 100 ms / 100 messages: the 2 s default makes a single client crawl (network/README.md).
      BatchTimeout: 100ms
      BatchSize: {MaxMessageCount: $batch, AbsoluteMaxBytes: 10 MB, PreferredMaxBytes: 2 MB}
      EtcdRaft:
        Consenters:
EOF
    for o in "${ORDERERS[@]}"; do
      cat <<EOF
          - Host: $(node_host "$o")
            Port: $(port "$o" 0)
            ClientTLSCert: $(orderer_dir "$o")/tls/server.crt
            ServerTLSCert: $(orderer_dir "$o")/tls/server.crt
EOF
    done
  fi
  cat <<EOF
      Policies:
        Readers: {Type: ImplicitMeta, Rule: "ANY Readers"}
        Writers: {Type: ImplicitMeta, Rule: "ANY Writers"}
        Admins: {Type: ImplicitMeta, Rule: "MAJORITY Admins"}
        BlockValidation: {Type: ImplicitMeta, Rule: "ANY Writers"}
      Capabilities: {V2_0: true}
      Organizations:
EOF
  if [ "$(net_consensus)" = bft ]; then
    for o in "${ORDERERS[@]}"; do
      msp=$(orderer_msp "$o")
      cat <<EOF
        - Name: $msp
          ID: $msp
          MSPDir: $(orderer_org_dir "$o")/msp
          Policies:
            Readers: {Type: Signature, Rule: "OR('$msp.member')"}
            Writers: {Type: Signature, Rule: "OR('$msp.member')"}
            Admins: {Type: Signature, Rule: "OR('$msp.admin')"}
          OrdererEndpoints: [$(node_host "$o"):$(port "$o" 0)]
EOF
    done
  else
    cat <<EOF
        - Name: OrdererMSP
          ID: OrdererMSP
          MSPDir: $(orderer_org_dir orderer1)/msp
          Policies:
            Readers: {Type: Signature, Rule: "OR('OrdererMSP.member')"}
            Writers: {Type: Signature, Rule: "OR('OrdererMSP.member')"}
            Admins: {Type: Signature, Rule: "OR('OrdererMSP.admin')"}
          OrdererEndpoints: [$(for o in "${ORDERERS[@]}"; do printf '%s:%s, ' "$(node_host "$o")" "$(port "$o" 0)"; done | sed 's/, $//')]
EOF
  fi
}

# application_member_rule role…: OR over every member org's identities of those roles, as one
# signature policy, which Fabric evaluates with one signature check and a principal comparison per
# entry — every entry, each costing microseconds (network/fabric-build/policycost), so the fewer
# the better. Readers name one MEMBER principal per org (any identity its MSP validates: its
# admins, peers and clients, as the per-org Readers below; its orderers, if it ran any, too — our
# orderers are other MSPs'); Writers the admin and client roles, as the per-org Writers, so a
# peer's own key cannot submit. org.sh add extends both.
application_member_rule() {
  local org roles=("$@") r rule=
  for org in $(all_orgs); do
    for r in "${roles[@]}"; do rule+="${rule:+,}'${org^}MSP.$r'"; done
  done
  echo "OR($rule)"
}

write_configtx() {
  local f=$NET/config/configtx.yaml org
  {
    cat <<EOF
# Generated by network/lib/generate.sh — one profile, everything inline.
Profiles:
  EconfirmChannel:
    Policies:
      Readers: {Type: ImplicitMeta, Rule: "ANY Readers"}
      Writers: {Type: ImplicitMeta, Rule: "ANY Writers"}
      Admins: {Type: ImplicitMeta, Rule: "MAJORITY Admins"}
    Capabilities: {V3_0: true}
    Orderer:
EOF
    write_orderer_section
    cat <<EOF
    Application:
      # Explicit signature policies instead of the MAJORITY defaults: with 128 member orgs of
      # which only 4 run peers, a majority could never endorse, approve or administer anything.
      # Readers and Writers too (application_member_rule): "ANY Readers" checks the signature once
      # per member org until one matches — at 866 orgs every proposal's ACL check and every gossip
      # message cost hundreds of ECDSA verifications (the CPU profile in network/README.md).
      Policies:
        Readers: {Type: Signature, Rule: "$(application_member_rule member)"}
        Writers: {Type: Signature, Rule: "$(application_member_rule admin client)"}
        Admins: {Type: Signature, Rule: "OutOf(2,'OperatorMSP.admin','Bank1MSP.admin','Firm1MSP.admin','RegulatorMSP.admin')"}
        LifecycleEndorsement: {Type: Signature, Rule: "$ENDORSEMENT_POLICY"}
        Endorsement: {Type: Signature, Rule: "$ENDORSEMENT_POLICY"}
      Capabilities: {V2_5: true}
      Organizations:
EOF
    for org in $(all_orgs); do org_configtx_entry "$org"; done
  } >"$f"
}

# One application org as configtx.yaml lists it (the genesis profile above, and org.sh's
# `configtxgen -printOrg` for a member added later): its MSP and its own policies.
org_configtx_entry() {
  local org=$1 msp
  msp=$(org_msp "$org")
  cat <<EOF
        - Name: $msp
          ID: $msp
          MSPDir: $(org_dir "$org")/msp
          Policies:
            Readers: {Type: Signature, Rule: "OR('$msp.admin','$msp.peer','$msp.client')"}
            Writers: {Type: Signature, Rule: "OR('$msp.admin','$msp.client')"}
            Admins: {Type: Signature, Rule: "OR('$msp.admin')"}
            Endorsement: {Type: Signature, Rule: "OR('$msp.peer')"}
EOF
  if has_peer "$org"; then
    echo "          AnchorPeers: [{Host: $(node_host "$org"), Port: $(port "$org" 0)}]"
  fi
}

# Chaincode server TLS: for each server (lib/common.sh chaincode_servers) a server pair and the
# client pair its peer dials it with, both from the TLS CA of the org that runs it — the
# operator's for the shared server; in hosts mode each peer org's own for its own server.
mint_chaincode_tls() {
  local server org d ca key kind
  for server in $(chaincode_servers); do
    org=$(node_org "$server"); d=$(chaincode_tls_dir "$server")
    [ -f "$d/client.crt" ] && continue
    mkdir -p "$d"
    ca=$(org_dir "$org")/tlsca/tlsca.$org.$DOMAIN-cert.pem
    key=$(org_dir "$org")/tlsca/priv_sk
    cp "$ca" "$d/ca.crt"
    for kind in server client; do
      (umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/$kind.key")
      openssl req -new -key "$d/$kind.key" -subj "/O=$org.$DOMAIN/CN=chaincode-$kind" -out "$d/$kind.csr"
      printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=${kind}Auth" "subjectAltName=IP:127.0.0.1,DNS:localhost$(h=$(node_host "$server"); [ "$h" = 127.0.0.1 ] || echo ",IP:$h")" \
        "authorityKeyIdentifier=keyid" >"$d/$kind.ext"
      openssl x509 -req -in "$d/$kind.csr" -CA "$ca" -CAkey "$key" -set_serial "0x$(openssl rand -hex 15)" \
        -days 3650 -sha256 -extfile "$d/$kind.ext" -out "$d/$kind.crt" 2>/dev/null
      rm -f "$d/$kind.csr" "$d/$kind.ext"
    done
  done
}

# cryptogen's org CA carries extendedKeyUsage clientAuth+serverAuth; NSS (pdfsig) applies a CA's EKU
# down the chain, so with the MSP root as the only anchor an evidence signature read "Certificate
# issuer is unknown". Re-sign each org CA with the same key, subject and subject key identifier
# (so every certificate cryptogen issued still chains to it) and without EKU, and put the new
# certificate in place of every copy (MSP cacerts of the org, its nodes and users). TLS CAs untouched.
# stamp_of cert start|end: the certificate's notBefore/notAfter as openssl ca wants it (YYYYMMDDHHMMSSZ).
stamp_of() { date -u -d "$(openssl x509 -in "$1" -noout -"$2"date | cut -d= -f2)" +%Y%m%d%H%M%SZ; }

unrestrict_org_cas() {
  local org failed=0
  # Orgs are independent: one job per core (866 orgs of --consortium=864 took 5 min one by one).
  for org in $(all_orgs); do
    unrestrict_org_ca "$org" &
    while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || failed=1; done
  done
  while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || failed=1; done
  [ "$failed" -eq 0 ] || die "could not re-sign every org CA"
}

unrestrict_org_ca() {
  local org=$1 cert key ski work copy
  cert=$(org_ca_cert "$org") key=$(org_ca_key "$org")
  openssl x509 -in "$cert" -noout -ext extendedKeyUsage 2>/dev/null | grep -q 'Extended Key Usage' || return 0
  work=$(mktemp -d)
  ski=$(openssl x509 -in "$cert" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' ')
  printf '%s\n' "basicConstraints=critical,CA:TRUE" "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign" \
    "subjectKeyIdentifier=$ski" >"$work/ext.cnf"
  # Same validity as cryptogen's (Fabric checks a chain at the leaf's notBefore): openssl 3.0's x509
  # cannot set dates, `openssl ca -selfsign` can; -preserveDN keeps the subject as it was.
  touch "$work/index.txt"
  openssl rand -hex 16 >"$work/serial"
  printf '%s\n' '[ca]' 'default_ca=org' '[org]' "database=$work/index.txt" "serial=$work/serial" "new_certs_dir=$work" \
    'default_md=sha256' 'policy=any' 'unique_subject=no' 'email_in_dn=no' '[any]' 'commonName=supplied' >"$work/ca.cnf"
  openssl x509 -in "$cert" -x509toreq -signkey "$key" -out "$work/req.pem" 2>/dev/null
  openssl ca -batch -notext -config "$work/ca.cnf" -selfsign -keyfile "$key" -in "$work/req.pem" -preserveDN \
    -startdate "$(stamp_of "$cert" start)" -enddate "$(stamp_of "$cert" end)" -extfile "$work/ext.cnf" \
    -out "$work/ca.pem" 2>/dev/null || { rm -rf "$work"; say "ERROR: could not re-sign the CA of $org"; return 1; }
  grep -rlF -- "$(sed -n 2p "$cert")" "$(org_dir "$org")" | while read -r copy; do cp "$work/ca.pem" "$copy"; done
  rm -rf "$work"
}

# A member that runs no node has no TLS endpoint, so its MSP carries no TLS root. Every peer puts
# each member's TLS roots into the CA list of its TLS CertificateRequest (core/peer/peer.go
# updateTrustedRoots, even with client authentication off), and that list's length field has two
# bytes: at 866 orgs the roots' names made 112 KB and every TLS handshake with a peer failed
# ("cryptobyte: pending child length 112156 exceeds 2-byte length prefix"). Fabric accepts an MSP
# without tlscacerts (msp/configbuilder.go). The org's TLS CA stays in tlsca/ for the day it runs
# a node (a config update then puts its root into the MSP). Args: org keys.
drop_peerless_tls_roots() {
  local org
  for org in "$@"; do has_peer "$org" || rm -rf "$(org_dir "$org")/msp/tlscacerts"; done
}

generate_all() {
  local t0=$SECONDS
  mkdir -p "$LOGS"
  if [ ! -d "$CRYPTO" ]; then
    write_crypto_config
    say "cryptogen: $(all_orgs | wc -l) peer-side orgs + $(if [ "$(net_consensus)" = bft ]; then echo "4 ordering orgs"; else echo "the ordering org"; fi)"
    cryptogen generate --config="$NET/config/crypto-config.yaml" --output="$CRYPTO" >/dev/null
    # cryptogen leaves private keys world-readable; keys stay private to the owner.
    find "$CRYPTO" \( -name 'priv_sk' -o -name '*.key' \) -exec chmod 600 {} +
    unrestrict_org_cas
    # shellcheck disable=SC2046
    drop_peerless_tls_roots $(all_orgs)
  fi
  mint_chaincode_tls
  if [ ! -f "$NET/channel/$CHANNEL.block" ]; then
    write_configtx
    mkdir -p "$NET/channel"
    configtxgen -configPath "$NET/config" -profile EconfirmChannel -channelID "$CHANNEL" \
      -outputBlock "$NET/channel/$CHANNEL.block" 2>"$LOGS/configtxgen.log" \
      || { cat "$LOGS/configtxgen.log" >&2; die "configtxgen failed"; }
  fi
  say "crypto and genesis block ready ($((SECONDS - t0)) s)"
}
