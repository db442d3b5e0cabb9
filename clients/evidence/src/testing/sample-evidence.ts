import { canonicalJson, saltedHash, sha256Hex, type ConfirmationEvidence, type ConfirmationView, type CrossCheckReport, type LetterContent, type ReplyContent } from '@econfirm/common';
import { createHash, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import * as jose from 'node-jose';
import { certificateDer } from '../crypto/certificates';
import { buildEvidenceDocument, type EvidenceDocument, type PartySummary } from '../model/evidence-document';
import type { RegistryEntry } from '../verify/verify-evidence';

export const FIRM: PartySummary = { id: 'FIRM1', kind: 'audit-firm', mspId: 'Firm1MSP', nameZh: '信达会计师事务所', nameEn: 'Xinda Certified Public Accountants' };
export const CLIENT: PartySummary = { id: 'CLIENT1', kind: 'client', mspId: 'OperatorMSP', nameZh: '华东制造股份有限公司', nameEn: 'East China Manufacturing Co., Ltd.' };
export const BANK: PartySummary = { id: 'BANK1', kind: 'bank', mspId: 'Bank1MSP', nameZh: '第一商业银行', nameEn: 'First Commercial Bank' };
export const BRANCH: PartySummary = { id: 'BANK1-SH', kind: 'bank-branch', mspId: 'Bank1MSP', nameZh: '第一商业银行上海分行', nameEn: 'First Commercial Bank Shanghai Branch' };

const SALT_A = 'a1'.repeat(32);
const SALT_B = 'b2'.repeat(32);

/** A 2020 bank letter with `depositRows` deposit rows (many rows exercise pagination). */
export function sampleLetter(depositRows = 3): LetterContent {
  const deposits = Array.from({ length: depositRows }, (_, i) => ({
    accountName: '华东制造股份有限公司', accountNo: `6222${String(100000000000 + i * 7919).padStart(12, '0')}`, currency: 'CNY', rate: '0.35%',
    type: i % 2 ? '定期 time' : '活期 current', balance: (1234567.89 + i * 1000).toFixed(2), inCashPool: i === 1 ? 'yes' : 'no',
    startDate: '2023-01-01', endDate: 'none', restricted: i === 2 ? 'yes' : 'no', remarks: i === 2 ? '质押用于开立银行承兑汇票 pledged for acceptance bills' : 'none',
  }));
  return {
    formId: 'bank-letter-2020',
    header: {
      letterNo: 'XD-2025-BK-0001', bank: '第一商业银行', branch: '上海分行', auditFirm: '信达会计师事务所', auditPeriod: '2025-01-01 – 2025-12-31',
      asOfDate: '2025-12-31', replyContact: '李会计 021-5555 0101', feeDebitAccount: '6222000000000009', clientSealRef: '财务专用章 A-01', handler: '王审计', date: '2026-01-05',
    },
    sections: {
      deposits: { status: 'rows', rows: deposits },
      loans: { status: 'rows', rows: [{ borrower: '华东制造股份有限公司', loanAccount: '7100000000001', currency: 'CNY', balance: '5000000.00', startDate: '2025-03-01', maturityDate: '2026-02-28', rate: '3.45%', collateral: '厂房抵押 factory mortgage' }] },
      closedAccounts: { status: 'none' },
      entrustedLoansAsLender: { status: 'struck' },
      entrustedLoansAsBorrower: { status: 'none' },
      guaranteesByClient: { status: 'none' },
      guaranteesByBank: { status: 'none' },
      acceptanceBills: { status: 'rows', rows: [{ billNo: 'AB-0001', settlementAccount: '6222000000000001', currency: 'CNY', faceAmount: '800000.00', issueDate: '2025-10-10', dueDate: '2026-04-10', collateral: '保证金 margin' }] },
      discountedBills: { status: 'none' }, billsForCollection: { status: 'none' }, lettersOfCredit: { status: 'none' }, fxContracts: { status: 'none' },
      securitiesInCustody: { status: 'none' }, wealthManagement: { status: 'none' }, other: { status: 'none' },
      cashPooling: { status: 'rows', rows: [{ provider: '华东控股集团', providerAccount: '6222000000000777', user: '华东制造股份有限公司', userAccount: '6222000000000001', currency: 'CNY', netBalance: '-200000.00' }] },
    },
  };
}

export function sampleReply(agrees: boolean): ReplyContent {
  return {
    formId: 'bank-letter-2020',
    conclusion: agrees ? 'agrees' : 'disagrees',
    differences: agrees ? [] : [{ section: 'deposits', row: 0, field: 'balance', stated: '1234567.89', actual: '1234000.00', note: '12月31日扣划手续费 fee debited on 31 Dec' }],
    sections: {},
    handler: '张经办',
    reviewer: '赵复核',
    date: '2026-01-08',
  };
}

export interface SampleBank {
  signingJwk: JsonWebKey;
  kid: string;
  /** Base64 DER chain for the reply JWS x5c, when the bank's key is certified. */
  x5c?: string[];
}

export function newBankSigningKey(kid = 'BANK1-sig-1'): SampleBank {
  return { signingJwk: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid };
}

/** The bank's reply JWS exactly as shared-design.md specifies (signed with node-jose, as the gateway does). */
export async function bankReplyJws(bank: SampleBank, confirmationId: string, conclusion: string, contentHash: string): Promise<string> {
  const key = await jose.JWK.asKey({ ...bank.signingJwk, kid: bank.kid, alg: 'ES256', use: 'sig' }, 'json');
  const fields: Record<string, unknown> = { alg: 'ES256', kid: bank.kid, ...(bank.x5c ? { x5c: bank.x5c } : {}) };
  const signed = await jose.JWS.createSign({ format: 'compact', fields }, key).update(canonicalJson({ confirmationId, conclusion, contentHash }), 'utf8').final();
  return signed as unknown as string;
}

function txId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

export interface SampleOptions {
  id?: string;
  depositRows?: number;
  agrees?: boolean;
  bank: SampleBank;
  /** When the trail starts (ms); steps follow within ~30 h, evidence is generated a day later. */
  baseTime?: number;
  /** Adds the firm's cross-check of the reply (one omitted registration), as the gateway passes it; or one of another reply. */
  crossCheck?: true | { replyContentHash: string };
}

/** A cross-check report of the sample reply: one registration of the client the reply omits. */
export function sampleCrossCheck(id: string, replyContentHash: string, replyTxIds: string[]): CrossCheckReport {
  const shown = { id: 'MTG-SAMPLE-2', mortgagee: 'BANK1', state: 'registered', mortgageType: 'ordinary', debtTermStart: '2025-01-01', debtTermEnd: '2030-01-01' };
  return {
    confirmationId: id, engagementId: 'ENG-2025-CLIENT1', clientId: 'CLIENT1', responderId: 'BANK1', asOfDate: '2025-12-31', checkedAt: '2026-01-07T03:00:00.000Z',
    comparedSections: ['loans', 'guaranteesByClient'],
    notCompared: [{ what: 'amounts', reason: 'sealed to bank, registry and mortgagor' }],
    records: [{ source: 'mortgage', id: 'MTG-SAMPLE-2', state: 'registered', bankId: 'BANK1', expected: true, amountReadable: false, shown }],
    exceptions: [{ code: 'MORTGAGE_NOT_IN_REPLY', source: 'mortgage', message: 'MTG-SAMPLE-2 is on the ledger but in none of the reply sections', recordId: 'MTG-SAMPLE-2', ledger: shown }],
    counts: { MORTGAGE_NOT_IN_REPLY: 1 },
    basis: { ledgerHeight: '60', replyTxIds, replyContentHash, readAs: 'FIRM1/auditor1' },
  };
}

/** A consistent ledger view + opened payloads for one replied confirmation, without a network. */
export async function sampleEvidence(options: SampleOptions): Promise<EvidenceDocument> {
  const id = options.id ?? 'CF-2026-000001';
  const letter = sampleLetter(options.depositRows);
  const reply = sampleReply(options.agrees ?? true);
  const letterHash = saltedHash(letter, SALT_A);
  const replyHash = saltedHash(reply, SALT_B);
  const signature = await bankReplyJws(options.bank, id, reply.conclusion, replyHash);
  const subject = (who: string, org: string) => `x509::/C=CN/O=${org}.econfirm.test/OU=client/CN=${who}@${org}.econfirm.test::/C=US/ST=California/L=San Francisco/O=${org}.econfirm.test/CN=ca.${org}.econfirm.test`;
  const base = options.baseTime ?? Date.parse('2026-01-05T02:00:00.000Z');
  const t = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
  const steps = [
    { state: 'issued', at: t(0), who: 'auditor1', org: 'firm1', msp: 'Firm1MSP', role: 'auditor', inst: 'FIRM1' },
    { state: 'authorized', at: t(70), who: 'client1', org: 'operator', msp: 'OperatorMSP', role: 'client-signer', inst: 'CLIENT1' },
    { state: 'accepted', at: t(1380), who: 'officer1', org: 'bank1', msp: 'Bank1MSP', role: 'bank-officer', inst: 'BANK1' },
    { state: 'reply-prepared', at: t(1500), who: 'officer1', org: 'bank1', msp: 'Bank1MSP', role: 'bank-officer', inst: 'BANK1' },
    { state: 'replied', at: t(1590), who: 'reviewer1', org: 'bank1', msp: 'Bank1MSP', role: 'bank-reviewer', inst: 'BANK1' },
  ] as const;
  const confirmation: ConfirmationView = {
    docType: 'confirmation', id, kind: 'bank-form-1', formId: 'bank-letter-2020', firmId: 'FIRM1', engagementId: 'ENG-2025-CLIENT1', clientId: 'CLIENT1',
    periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31', addresseeId: 'BANK1-SH', responderId: 'BANK1', feePayer: 'client',
    state: 'replied', letter: { ciphertext: `{"jwe":"letter ${id}"}`, contentHash: letterHash },
    issued: { by: subject('auditor1', 'firm1'), at: steps[0].at }, authorizationDueAt: t(20000),
    authorization: { by: subject('client1', 'operator'), at: steps[1].at, feeConsent: true },
    sentAt: steps[1].at, replyDueAt: t(20000), acceptance: { by: subject('officer1', 'bank1'), at: steps[2].at },
    reply: {
      conclusion: reply.conclusion, ciphertext: `{"jwe":"reply ${id}"}`, contentHash: replyHash, signatureHash: sha256Hex(signature), signingKid: options.bank.kid,
      preparedBy: subject('officer1', 'bank1'), preparedAt: steps[3].at, approvedBy: subject('reviewer1', 'bank1'), approvedAt: steps[4].at,
    },
    attempt: 1, updatedAt: steps[4].at, overdue: false,
  };
  const { d: _private, ...publicJwk } = options.bank.signingJwk;
  void _private;
  const ledger: ConfirmationEvidence = {
    confirmation,
    trail: steps.map((s) => ({ txId: txId(`${id}/${s.state}`), timestamp: s.at, state: s.state })),
    responderSigningKey: { kid: options.bank.kid, alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: publicJwk.x as string, y: publicJwk.y as string } },
  };
  const transactions = Object.fromEntries(
    steps.map((s, i) => [
      txId(`${id}/${s.state}`),
      {
        blockNumber: BigInt(40 + i * 3),
        validationCode: 'VALID',
        actor: { mspId: s.msp, subject: `/C=CN/O=${s.org}.econfirm.test/OU=client/CN=${s.who}@${s.org}.econfirm.test`, issuer: `/CN=ca.${s.org}.econfirm.test`, role: s.role, institution: s.inst, certificateSha256: txId(`${s.who}@${s.org}`) },
      },
    ]),
  );
  return buildEvidenceDocument({
    channel: 'econfirm',
    generatedAt: t(2880),
    generatedBy: FIRM,
    parties: { firm: FIRM, client: CLIENT, addressee: BRANCH, responder: BANK },
    ledger,
    letter: { content: letter, salt: SALT_A },
    reply: { content: reply, salt: SALT_B, signature },
    transactions,
    ...(options.crossCheck ? { crossCheck: sampleCrossCheck(id, options.crossCheck === true ? replyHash : options.crossCheck.replyContentHash, [txId(`${id}/replied`)]) } : {}),
  });
}

export function x5cOf(certPem: string, caPem: string): string[] {
  return [certificateDer(certPem).toString('base64'), certificateDer(caPem).toString('base64')];
}

/**
 * A verifier's registry snapshot (offline) holding `parties` as registered, without signing keys;
 * `changed` replaces an entry, `without` leaves one out — an institution the registry holds
 * otherwise than the document prints it.
 */
export function registrySnapshot(parties: readonly PartySummary[], changes: { changed?: readonly Partial<RegistryEntry>[]; without?: string } = {}): Map<string, RegistryEntry> {
  const entries = new Map(parties.map((p): [string, RegistryEntry] => [p.id, { ...p, signingKeys: [] }]));
  for (const change of changes.changed ?? []) {
    const entry = change.id ? entries.get(change.id) : undefined;
    if (entry) entries.set(entry.id, { ...entry, ...change });
  }
  if (changes.without) entries.delete(changes.without);
  return entries;
}
