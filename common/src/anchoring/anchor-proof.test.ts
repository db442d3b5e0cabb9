import { expect } from 'chai';
import { canonicalJson } from '../json/canonical-json';
import { sha256Hex } from '../crypto/salted-hash';
import { anchorLeafValue, type ConfirmationLeafInput, type MortgageCertificateLeafInput, type ReceivableVoucherLeafInput } from './anchor-proof';

const hex = (c: string): string => c.repeat(64);

describe('anchor leaves', () => {
  const confirmation: ConfirmationLeafInput = { channel: 'econfirm', kind: 'confirmation', id: 'CF-1', state: 'auditor-accepted', letterHash: hex('a'), replyHash: hex('b'), replySignatureHash: hex('c'), txId: hex('d'), salt: hex('e') };
  const certificate: MortgageCertificateLeafInput = { channel: 'econfirm', kind: 'mortgage-certificate', id: 'MTG-1', state: 'registered', applicationHash: hex('a'), certificateHash: hex('b'), txId: hex('d'), salt: hex('e') };

  it("keeps a confirmation's leaf what be3c9e7 anchored (proofs in PDFs already out stay valid)", () => {
    // Both values were printed by anchorLeafValue as it stood on be3c9e7, before leaves had kinds.
    expect(anchorLeafValue(confirmation)).to.equal('0xda1594695f5a6cc32295cae3e55e7d8e4545e45544164e0074fa23c266e48e61');
    const { replyHash: _r, replySignatureHash: _s, ...unanswered } = confirmation;
    expect(anchorLeafValue({ ...unanswered, id: 'CF-2' })).to.equal('0x32c47012b2f619e5730d753bcd27456ea7dd9ebf0cdd4868e5ba30bca6e82885');
  });

  it("is a certificate's own facts, field by field: each one changes the leaf, a stray property does not enter it", () => {
    const value = anchorLeafValue(certificate);
    expect(value).to.equal(`0x${sha256Hex(canonicalJson({ format: 'econfirm-anchor-leaf/1', ...certificate }))}`);
    for (const field of ['channel', 'id', 'state', 'applicationHash', 'certificateHash', 'txId', 'salt'] as const) {
      expect(anchorLeafValue({ ...certificate, [field]: `${certificate[field]}x` }), field).to.not.equal(value);
    }
    expect(anchorLeafValue({ ...certificate, amount: '1000000.00' } as MortgageCertificateLeafInput)).to.equal(value);
    // The same hashes under the other kind are another leaf.
    expect(anchorLeafValue({ ...confirmation, id: 'MTG-1', state: 'registered' })).to.not.equal(value);
  });

  it("is a voucher's own facts: its holder, amount hash and terms hash each change the leaf", () => {
    const voucher: ReceivableVoucherLeafInput = { channel: 'econfirm', kind: 'receivable-voucher', id: 'RCV-1', state: 'transferred', holderId: 'SUP2', amountHash: hex('a'), termsHash: hex('b'), txId: hex('d'), salt: hex('e') };
    const value = anchorLeafValue(voucher);
    expect(value).to.equal(`0x${sha256Hex(canonicalJson({ format: 'econfirm-anchor-leaf/1', ...voucher }))}`);
    for (const field of ['holderId', 'amountHash', 'termsHash', 'state', 'txId'] as const) {
      expect(anchorLeafValue({ ...voucher, [field]: `${voucher[field]}x` }), field).to.not.equal(value);
    }
  });
});
