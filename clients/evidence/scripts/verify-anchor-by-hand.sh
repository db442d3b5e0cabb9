#!/usr/bin/env bash
# Checks the public EVM anchor of an econfirm evidence PDF (a certificate, a voucher) with standard tools only — pdfdetach,
# python3 (JSON, hex), curl to any JSON-RPC node of the chain, a keccak-256 tool — and no econfirm
# code and no Fabric access:
#   verify-anchor-by-hand.sh <evidence.pdf> <json-rpc-url> <EvidenceAnchor address you trust>
# 1. the leaf is recomputed from evidence.json (the record's id, state, hashes, completing
#    transaction) and the salt in anchor.json: sha256 of their canonical JSON; a certificate's
#    hashes are those of its sealed application and certificate, a voucher's its holder's, amount's and terms';
# 2. OpenZeppelin's standard tree: leaf hash = keccak256(keccak256(leaf)), then for each proof
#    element keccak256 of the two hashes in ascending order; the result must be the root;
# 3. eth_call anchorOf(root) on the contract: its ledgerRef must be keccak256(abi.encode(channel,
#    block, txId)) of the Fabric batch named, its timestamp is the block time printed.
# keccak-256: `openssl dgst -keccak-256` (OpenSSL >= 3.2) when present, else the node's own
# web3_sha3 (standard JSON-RPC). Exit 0 when the anchor holds, 1 otherwise.
set -euo pipefail
[ $# -eq 3 ] || { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
pdf=$1 rpc=$2 contract=$(echo "$3" | tr 'A-F' 'a-f')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "ANCHOR INVALID: $*"; exit 1; }

pdfdetach -saveall -o "$work" "$pdf" >/dev/null
[ -f "$work/anchor.json" ] || fail "no anchor.json attached (evidence generated before anchoring, or by a gateway that does not anchor)"
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$work/anchor.json")" = anchored ] || fail "anchoring pending when this PDF was generated"

rpc_call() {  # method params-json → result (hex)
  curl -fsS -H 'Content-Type: application/json' --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$rpc" |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["result"]) if "result" in r else sys.exit("JSON-RPC error: " + json.dumps(r.get("error")))'
}
keccak() {  # 0x-hex bytes → 0x-hex keccak-256
  if echo | openssl dgst -keccak-256 >/dev/null 2>&1; then
    echo "0x$(printf '%s' "${1#0x}" | xxd -r -p | openssl dgst -keccak-256 -r | cut -d' ' -f1)"
  else
    rpc_call web3_sha3 "[\"$1\"]"
  fi
}

# 1. The leaf, from the evidence itself (never the leaf anchor.json states).
leaf=$(python3 - "$work/evidence.json" "$work/anchor.json" <<'PY'
import hashlib, json, sys
doc, anchor = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
facts = {"format": "econfirm-anchor-leaf/1", "channel": doc["channel"], "id": doc["record"]["id"], "state": doc["record"]["state"],
         "txId": doc["timeline"][-1]["txId"], "salt": anchor["leaf"]["salt"]}
if doc.get("format") == "econfirm-mortgage-certificate/1":
    # A registration certificate: its sealed parts by their ledger hashes (common/src/anchoring/anchor-proof.ts).
    facts.update({"kind": "mortgage-certificate", "applicationHash": doc["application"]["contentHash"], "certificateHash": doc["certificate"]["contentHash"]})
elif doc.get("format") == "econfirm-receivable-voucher/1":
    # A receivable voucher: its holder, amount hash and terms hash; the receivable's own last step.
    own = [s for s in doc["timeline"] if s["receivableId"] == doc["record"]["id"]]
    facts.update({"kind": "receivable-voucher", "holderId": doc["record"]["holderId"], "amountHash": doc["record"]["amountHash"],
                  "termsHash": doc["terms"]["contentHash"], "txId": own[-1]["txId"]})
else:
    reply = doc.get("reply")
    facts.update({"kind": "confirmation", "letterHash": doc["letter"]["contentHash"],
                  "replyHash": reply["contentHash"] if reply else None, "replySignatureHash": reply["signatureHash"] if reply else None})
print("0x" + hashlib.sha256(json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest())
PY
)
field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); [v := v[k] for k in sys.argv[2:]]; print(" ".join(v) if isinstance(v, list) else v)' "$work/anchor.json" "$@"; }
root=$(field root)
echo "leaf (from evidence.json): $leaf"

# 2. Up the tree.
h=$(keccak "$(keccak "$leaf")")
for sibling in $(field proof); do
  if [[ "$h" < "$sibling" ]]; then h=$(keccak "$h${sibling#0x}"); else h=$(keccak "$sibling${h#0x}"); fi
done
[ "$h" = "$root" ] || fail "the proof leads to $h, not to the root $root"
echo "proof leads to root $root"

# 3. The contract's record of the root: anchorOf(bytes32) → (ledgerRef, anchorer, timestamp, uri).
[ "$(field contract | tr 'A-F' 'a-f')" = "$contract" ] || fail "the evidence names contract $(field contract), you trust $contract"
[ "$(rpc_call eth_chainId '[]' | python3 -c 'import sys; print(int(sys.stdin.read(), 16))')" = "$(field chainId)" ] || fail "the node is not on chain $(field chainId)"
selector=$(keccak "0x$(printf 'anchorOf(bytes32)' | xxd -p | tr -d '\n')" | cut -c1-10)
result=$(rpc_call eth_call "[{\"to\":\"$contract\",\"data\":\"$selector${root#0x}\"},\"latest\"]") || fail "contract $contract holds no anchor of $root"
ledger_ref=0x${result:66:64}
timestamp=$((16#${result:194:64}))
expected=$(python3 - "$(field batch channel)" "$(field batch blockNumber)" "$(field batch txId)" <<'PY'
import sys
def word(n): return n.to_bytes(32, "big")
def string(s):
    b = s.encode()
    return word(len(b)) + b + b"\0" * (-len(b) % 32)
channel, block, tx = sys.argv[1], int(sys.argv[2]), sys.argv[3]
a = string(channel)
print("0x" + (word(96) + word(block) + word(96 + len(a)) + a + string(tx)).hex())
PY
)
[ "$(keccak "$expected")" = "$ledger_ref" ] || fail "the chain's anchor names another Fabric transaction than $(field batch txId)"
echo "ledgerRef = keccak256(abi.encode($(field batch channel), $(field batch blockNumber), $(field batch txId)))"
echo "ANCHOR VALID: existed no later than $(date -u -d "@$timestamp" +%Y-%m-%dT%H:%M:%SZ) (block time on chain $(field chainId), contract $contract)"
