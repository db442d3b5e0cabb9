# shellcheck shell=bash
# Source me after common.sh. User identities: openssl-minted certificates signed by the org's
# cryptogen CA, carrying Fabric's attribute extension exactly as fabric-ca writes it, so chaincode
# reads them with ctx.clientIdentity.getAttributeValue('econfirm.role').

ROLES="auditor client-signer bank-officer bank-reviewer mortgage-officer registrar registry-reviewer regulator admin"
ATTR_OID=1.2.3.4.5.6.7.8.1   # fabric-ca's attrmgr OID; its value is the raw JSON bytes

# An openssl "ca" database per issuing CA: only used to revoke and to sign its CRL (gencrl).
# ca_db_for dir cert key: creates (once) and prints the database folder for that CA.
ca_db_for() {
  local d=$1 cert=$2 key=$3
  if [ ! -f "$d/ca.cnf" ]; then
    mkdir -p "$d"
    : >"$d/index.txt"
    echo "unique_subject = no" >"$d/index.txt.attr"
    echo 1000 >"$d/crlnumber"
    cat >"$d/ca.cnf" <<EOF
[ ca ]
default_ca = org_ca
[ org_ca ]
database = $d/index.txt
crlnumber = $d/crlnumber
certificate = $cert
private_key = $key
default_md = sha256
default_crl_days = 3650
crl_extensions = crl_ext
[ crl_ext ]
# Fabric only applies a CRL whose authority key id equals the issuing CA's subject key id.
authorityKeyIdentifier = keyid:always
EOF
  fi
  echo "$d"
}

# The org CA's database (Fabric identities).
ca_db() { ca_db_for "$NET/ca/$1" "$(org_ca_cert "$1")" "$(org_ca_key "$1")"; }

# The org's evidence CA's database (evidence and registry-signing-key certificates).
evidence_ca_db() {
  local ca
  ca=$(evidence_ca "$1")
  ca_db_for "$ca/db" "$ca/cert.pem" "$ca/key.pem"
}

# Every CRL the org's CAs have signed, one PEM file each: what its MSP's revocation_list carries.
org_crl_files() {
  local f
  for f in "$NET/ca/$1/crl.pem" "$NET/ca/$1/evidence-ca/db/crl.pem"; do
    [ -f "$f" ] && echo "$f"
  done
  return 0
}

# mint_identity org name role [institution]: writes $IDS/org/name/{msp/,meta.json}.
mint_identity() {
  local org=$1 name=$2 role=$3 inst=${4:-$(org_institution "$1")}
  local d=$IDS/$1/$2 msp ou json hex
  case " $ROLES " in *" $role "*) ;; *) die "unknown role '$role' (one of: $ROLES)" ;; esac
  [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "bad identity name '$name'"
  [ -d "$(org_dir "$org")" ] || die "unknown org '$org'"
  [ -f "$d/meta.json" ] && return 0   # idempotent: up.sh mints the defaults on every run
  msp=$d/msp
  mkdir -p "$msp/signcerts" "$msp/keystore" "$msp/cacerts"
  # Admins are NodeOU "admin" (they may sign channel updates); everyone else is a "client".
  if [ "$role" = admin ]; then ou=admin; else ou=client; fi
  json=$(jq -cn --arg r "$role" --arg i "$inst" '{attrs:{"econfirm.role":$r,"econfirm.institution":$i}}')
  hex=$(printf '%s' "$json" | od -An -tx1 -v | tr -d ' \n')
  (umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$msp/keystore/key.pem")
  openssl req -new -key "$msp/keystore/key.pem" -out "$d/req.csr" \
    -subj "/C=CN/O=$(org_domain "$org")/OU=$ou/CN=$name@$(org_domain "$org")"
  # DER:<hex> puts the JSON bytes verbatim in the extension's OCTET STRING (no ASN.1 wrapping),
  # which is what fabric-ca emits and what fabric-shim's ClientIdentity JSON.parse()s.
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" "$ATTR_OID=DER:$hex" >"$d/ext.cnf"
  openssl x509 -req -in "$d/req.csr" -CA "$(org_ca_cert "$org")" -CAkey "$(org_ca_key "$org")" \
    -set_serial "0x$(openssl rand -hex 15)" -days 3650 -sha256 -extfile "$d/ext.cnf" \
    -out "$msp/signcerts/cert.pem" 2>/dev/null
  rm -f "$d/req.csr" "$d/ext.cnf"
  cp "$(org_ca_cert "$org")" "$msp/cacerts/"
  cp "$(org_dir "$org")/msp/config.yaml" "$msp/config.yaml"   # NodeOU classification for the CLI
  jq -n --arg name "$name" --arg role "$role" --arg inst "$inst" \
    --arg cert "$msp/signcerts/cert.pem" --arg key "$msp/keystore/key.pem" \
    '{name:$name, role:$role, institution:$inst, certPath:$cert, keyPath:$key}' >"$d/meta.json"
}

# --- certificates for keys that are not Fabric identities ----------------------------------------
# An institution's registry signing key and its evidence key get X.509 certificates under its org
# CA (the root its MSP carries in the channel configuration), so a JWS or a PDF signature chains to
# the channel's MSP configuration. They are issued by an intermediate "evidence CA" per org, itself
# issued by the org CA: cryptogen's org roots carry a TLS-only extended key usage, which NSS (and so
# poppler's pdfsig) refuses for document signing; the intermediate carries none and is what a
# relying party imports as its trust anchor, while our verifier walks on to the MSP root.

# evidence_ca org: creates (once) and prints the folder with the org's evidence CA key and cert.
evidence_ca() {
  local org=$1 d=$NET/ca/$1/evidence-ca
  if [ ! -f "$d/cert.pem" ]; then
    [ -d "$(org_dir "$org")" ] || die "unknown org '$org'"
    mkdir -p "$d"
    (umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/key.pem")
    openssl pkey -in "$d/key.pem" -pubout -out "$d/pub.pem"
    printf '%s\n' "basicConstraints=critical,CA:TRUE,pathlen:0" "keyUsage=critical,digitalSignature,keyCertSign,cRLSign" \
      "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" >"$d/ext.cnf"
    openssl x509 -new -force_pubkey "$d/pub.pem" -subj "/C=CN/O=$(org_domain "$org")/CN=evidence-ca.$(org_domain "$org")" \
      -CA "$(org_ca_cert "$org")" -CAkey "$(org_ca_key "$org")" -set_serial "0x$(openssl rand -hex 15)" \
      -days 3650 -sha256 -extfile "$d/ext.cnf" -out "$d/cert.pem" 2>/dev/null
    rm -f "$d/ext.cnf" "$d/pub.pem"
  fi
  echo "$d"
}

# certify_key org name pubkey.pem [institution]: prints the chain (leaf, evidence CA) for that public key.
# CSR-free: the key's owner hands over only its public key (openssl x509 -new -force_pubkey).
# With an institution, the certificate is that institution's evidence certificate: extendedKeyUsage
# documentSigning (RFC 9336) and emailProtection (what NSS/pdfsig asks of a signer), and the
# institution in the Fabric attribute extension; the verifier (clients/evidence/src/crypto/
# certificates.ts evidenceCertificateProblem) accepts only such a certificate as a PDF signer.
certify_key() {
  local org=$1 name=$2 pub=$3 inst=${4:-} ca work hex
  [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "bad certificate name '$name'"
  [ -f "$pub" ] || die "no public key file $pub"
  openssl pkey -pubin -in "$pub" -noout 2>/dev/null || die "$pub is not a PEM public key"
  ca=$(evidence_ca "$org")
  work=$(mktemp -d)
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,nonRepudiation" \
    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" >"$work/ext.cnf"
  if [ -n "$inst" ]; then
    hex=$(jq -cn --arg i "$inst" '{attrs:{"econfirm.institution":$i}}' | tr -d '\n' | od -An -tx1 -v | tr -d ' \n')
    printf '%s\n' "extendedKeyUsage=1.3.6.1.5.5.7.3.36,emailProtection" "$ATTR_OID=DER:$hex" >>"$work/ext.cnf"
  fi
  openssl x509 -new -force_pubkey "$pub" -subj "/C=CN/O=$(org_domain "$org")/OU=evidence/CN=$name@$(org_domain "$org")" \
    -CA "$ca/cert.pem" -CAkey "$ca/key.pem" -set_serial "0x$(openssl rand -hex 15)" \
    -days 1825 -sha256 -extfile "$work/ext.cnf" -out "$work/cert.pem" 2>/dev/null || { rm -rf "$work"; die "openssl could not certify $pub"; }
  cat "$work/cert.pem" "$ca/cert.pem"
  rm -rf "$work"
}

# mint_evidence_identity org institution [label]: a P-256 key and its certificate chain for signing the
# institution's evidence PDFs, in $NET/evidence/<org>/<label or institution>/{key.pem,chain.pem}
# (a label: a further certificate of the same institution, e.g. the next one of a rotation).
mint_evidence_identity() {
  local org=$1 inst=$2 label=${3:-$2} d=$NET/evidence/$1/${3:-$2}
  [[ $label =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "bad evidence label '$label'"
  [ -f "$d/chain.pem" ] && return 0
  mkdir -p "$d"
  (umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/key.pem")
  openssl pkey -in "$d/key.pem" -pubout -out "$d/pub.pem"
  certify_key "$org" "$label-evidence" "$d/pub.pem" "$inst" >"$d/chain.pem.tmp"
  mv "$d/chain.pem.tmp" "$d/chain.pem"
  rm -f "$d/pub.pem"
}

mint_default_identities() {
  local org
  mint_identity operator admin admin
  mint_identity operator client1 client-signer CLIENT1
  mint_identity operator registrar1 registrar MREG1
  mint_identity operator registry-reviewer1 registry-reviewer MREG1   # approves what registrar1 prepares
  mint_identity operator ent1 client-signer ENT1   # the core enterprise of the receivables demo
  mint_identity operator sup1 client-signer SUP1
  mint_identity operator sup2 client-signer SUP2
  mint_identity bank1 officer1 bank-officer
  mint_identity bank1 officer2 bank-officer
  mint_identity bank1 reviewer1 bank-reviewer
  mint_identity bank1 mortgage-officer1 mortgage-officer   # files mortgage applications and discharge requests
  mint_identity bank1 admin admin
  mint_identity bank2 officer1 bank-officer   # the second bank: peerless, on the operator's peer
  mint_identity firm1 auditor1 auditor
  mint_identity firm1 auditor2 auditor
  mint_identity firm1 admin admin
  mint_identity regulator regulator1 regulator
  mint_evidence_identity firm1 FIRM1   # audit firms generate the working-paper evidence
  mint_evidence_identity operator MREG1   # the registration centre issues registration certificates
}

# network.json: the contract with the test harness and the gateway. Rebuilt from the files on
# disk (orgs, identities, deployed chaincode) every time something changes, so it never drifts.
# One jq run for all orgs: the consortium has 128 of them.
write_network_json() {
  local org o tmp=$NET/.network.json.tmp
  {
    for org in $(all_orgs); do
      # org_msp, org_kind and org_ca_cert written out: three subshells per org took 10 s at 866 orgs.
      printf '%s\t%s\t%s\t%s' "$org" "${org^}MSP" "${org%%[0-9]*}" "$CRYPTO/peerOrganizations/$org.$DOMAIN/ca/ca.$org.$DOMAIN-cert.pem"
      if has_peer "$org"; then
        printf '\t%s\t%s\t%s\t%s' "$(peer_name "$org")" "$(peer_addr "$org")" "$(peer_tls_ca "$org")" \
          "http://$(node_host "$org"):$(port "$org" 2)"
      fi
      printf '\n'
    done
  } >"$NET/.orgs.tsv"
  for o in "${ORDERERS[@]}"; do
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(orderer_name "$o")" "$(node_host "$o"):$(port "$o" 0)" "$(orderer_tls_ca "$o")" \
      "$(node_host "$o"):$(port "$o" 1)" "http://$(node_host "$o"):$(port "$o" 2)" "$(orderer_msp "$o")" "$o"
  done >"$NET/.orderers.tsv"
  # Identities keyed by org (the directory above each identity's own).
  find "$IDS" -name meta.json 2>/dev/null | sort | xargs -r jq -n \
    '[inputs | {org: (input_filename | split("/")[-3])} + .] | group_by(.org) | map({(.[0].org): map(del(.org))}) | add // {}' \
    >"$NET/.ids.json"
  [ -s "$NET/.ids.json" ] || echo '{}' >"$NET/.ids.json"
  jq -n --arg ch "$CHANNEL" --arg consensus "$(net_consensus)" --slurpfile ids "$NET/.ids.json" \
    --rawfile orgs "$NET/.orgs.tsv" --rawfile ords "$NET/.orderers.tsv" \
    --argjson cc "$(cat "$NET/chaincode/deployed.json" 2>/dev/null || echo null)" '
    def rows($t): $t | split("\n") | map(select(length > 0) | split("\t"));
    {channel: $ch,
     consensus: $consensus,
     chaincode: ($cc | if . then {name, version, sequence, packageId} else null end),
     orgs: [rows($orgs)[] | {key: .[0], mspId: .[1], kind: .[2],
             peers: (if length > 4 then [{name: .[4], endpoint: .[5], hostAlias: .[4], tlsRootCertPath: .[6], operationsUrl: .[7]}] else [] end),
             caCertPath: .[3], identities: ($ids[0][.[0]] // [])}],
     orderers: [rows($ords)[] | {name: .[0], endpoint: .[1], hostAlias: .[0], tlsRootCertPath: .[2], adminEndpoint: .[3], operationsUrl: .[4], mspId: .[5], key: .[6]}]}' >"$tmp"
  mv "$tmp" "$NET/network.json"   # atomic: readers never see half a file
  rm -f "$NET/.orgs.tsv" "$NET/.orderers.tsv" "$NET/.ids.json"
}
