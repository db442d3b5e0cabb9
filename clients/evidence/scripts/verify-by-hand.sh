#!/usr/bin/env bash
# Verifies an econfirm evidence PDF with standard tools only (poppler-utils, openssl, python3's
# standard library, jq) — no econfirm code — against the org root(s) you trust:
#   verify-by-hand.sh <evidence.pdf> <firm-root.pem> [<responder-root.pem>]
# Checks: the PAdES CMS over the byte ranges (openssl cms), the evidence JWS (ES256, x5c chain to
# the firm root) and that it signs exactly the attached evidence.json, the salted content hashes,
# and sha256(reply.jws) = the ledger's signatureHash stated in evidence.json, the reply JWS by the
# responder key printed in evidence.json (and, given its root, its x5c chain).
# It does not look at the ledger: compare the hashes with the ledger (or `econfirm verify`) for that.
set -euo pipefail
pdf=$1 firm_root=$2 responder_root=${3:-}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp "$pdf" "$work/e.pdf"; cd "$work"
say() { printf '%-14s %s\n' "$1" "$2"; }

# 1. PDF signature: the two byte ranges and the DER CMS in /Contents (its own length, no padding).
python3 - <<'PY'
import re
d = open('e.pdf', 'rb').read()
a, b, c, l = map(int, re.findall(rb'/ByteRange \[(\d+) (\d+) (\d+) (\d+)', d)[-1])
assert a == 0 and c + l == len(d), 'byte range must cover the whole file but /Contents'
open('signed.bin', 'wb').write(d[:b] + d[c:c + l])
der = bytes.fromhex(d[b + 1:c - 1].decode())
n = der[1] & 0x7f if der[1] & 0x80 else 0
size = 2 + n + (int.from_bytes(der[2:2 + n], 'big') if n else der[1])
open('cms.der', 'wb').write(der[:size])
PY
openssl cms -verify -binary -inform DER -in cms.der -content signed.bin -CAfile "$firm_root" -purpose any -out /dev/null 2>cms.err \
  && say pdf-signature "OK (CMS over the byte ranges, chain to $(openssl x509 -in "$firm_root" -noout -subject))" \
  || { say pdf-signature "FAILED: $(tail -1 cms.err)"; exit 1; }

# 2. Attachments.
pdfdetach -saveall e.pdf >/dev/null
for f in evidence.json evidence.jws; do [ -f "$f" ] || { say attachments "FAILED: no $f"; exit 1; }; done

# 3. A compact ES256 JWS: header.x5c[0] (or a given PEM key) verifies r||s over "header.payload".
verify_jws() { # jws-file out-prefix [public-key-pem]
  python3 - "$1" "$2" <<'PY'
import base64, json, sys
h, p, s = open(sys.argv[1]).read().strip().split('.')
b = lambda x: base64.urlsafe_b64decode(x + '=' * (-len(x) % 4))
open(sys.argv[2] + '.input', 'w').write(h + '.' + p)
open(sys.argv[2] + '.payload', 'wb').write(b(p))
sig = b(s); r, t = sig[:32].lstrip(b'\0') or b'\0', sig[32:].lstrip(b'\0') or b'\0'
i = lambda v: b'\x02' + bytes([len(v) + (v[0] >> 7)]) + (b'\0' if v[0] >> 7 else b'') + v
body = i(r) + i(t); open(sys.argv[2] + '.sig', 'wb').write(b'\x30' + bytes([len(body)]) + body)
for n, c in enumerate(json.loads(b(h)).get('x5c', [])):
    open(f'{sys.argv[2]}.x5c{n}.pem', 'w').write('-----BEGIN CERTIFICATE-----\n' + c + '\n-----END CERTIFICATE-----\n')
PY
  local key=${3:-}
  if [ -z "$key" ]; then openssl x509 -in "$2.x5c0.pem" -noout -pubkey >"$2.pub"; key=$2.pub; fi
  openssl dgst -sha256 -verify "$key" -signature "$2.sig" "$2.input" >/dev/null
}
verify_jws evidence.jws ev || { say evidence-jws "FAILED: signature"; exit 1; }
cat ev.x5c*.pem >ev.chain.pem
openssl verify -CAfile "$firm_root" -untrusted ev.chain.pem -purpose any ev.x5c0.pem >/dev/null || { say evidence-jws "FAILED: x5c does not chain to the firm root"; exit 1; }
cmp -s ev.payload evidence.json || { say evidence-jws "FAILED: signs other content than evidence.json"; exit 1; }
say evidence-jws "OK (ES256, x5c chains to the firm root, signs evidence.json)"

# 4. Salted hashes: sha256(canonical JSON of {salt, value}) — keys sorted, no spaces, UTF-8.
python3 - <<'PY'
import hashlib, json
e = json.load(open('evidence.json'))
canon = lambda v: json.dumps(v, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
for part in ('letter', 'reply'):
    if part in e:
        got = hashlib.sha256(canon({'salt': e[part]['salt'], 'value': e[part]['content']}).encode()).hexdigest()
        assert got == e[part]['contentHash'], f'{part} content does not reproduce its hash'
        print(f'{part + "-hash":14} OK ({got})')
PY

# 5. The responder's reply JWS: the ledger's signatureHash, the registry key, the claims signed.
if jq -e .reply evidence.json >/dev/null; then
  [ -f reply.jws ] || { say reply-jws "FAILED: no reply.jws"; exit 1; }
  [ "$(tr -d '\n' <reply.jws | sha256sum | cut -d' ' -f1)" = "$(jq -r .reply.signatureHash evidence.json)" ] || { say reply-jws "FAILED: sha256 differs from signatureHash"; exit 1; }
  jq -c '.reply.signingKey.jwk' evidence.json | python3 -c '
import base64, json, sys
j = json.load(sys.stdin); b = lambda x: base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
spki = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200") + b"\x04" + b(j["x"]) + b(j["y"])
print("-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(spki).decode() + "\n-----END PUBLIC KEY-----")' >reply.key.pem
  verify_jws reply.jws rp reply.key.pem || { say reply-jws "FAILED: not signed by the responder key ($(jq -r .reply.signingKid evidence.json))"; exit 1; }
  jq -e --slurpfile p rp.payload '$p[0] == {confirmationId: .record.id, conclusion: .reply.conclusion, contentHash: .reply.contentHash}' evidence.json >/dev/null \
    || { say reply-jws "FAILED: signs another reply"; exit 1; }
  if [ -n "$responder_root" ] && [ -f rp.x5c0.pem ]; then
    cat rp.x5c*.pem >rp.chain.pem
    openssl verify -CAfile "$responder_root" -untrusted rp.chain.pem -purpose any rp.x5c0.pem >/dev/null || { say reply-jws "FAILED: x5c outside the responder's root"; exit 1; }
  fi
  say reply-jws "OK (responder key $(jq -r .reply.signingKid evidence.json); sha256 = signatureHash)"
fi
echo "VALID (offline, standard tools): compare the hashes above with the ledger to finish"
