import { newSalt, receivableAmountHash, receivableInvoiceKey, saltedHash, type EncryptedContent, type Institution, type ReceivableRecord, type ReceivableRegistrationInput } from '@econfirm/common';
import { open, recipientOf, seal } from '@econfirm/sdk';
import { demoKeyStore, freshRegistrationId, registerFresh, type HeldInstitution } from './institutions';
import { networkScript, uniqueName, withLedger } from './network';

/**
 * What a supplier's and an obligor's software do around the receivable contract, for the tests
 * and the benchmark: seal the terms, open them, and build the openings a confirmation needs.
 */

/** What the terms of a receivable carry, sealed: the amount's opening and the references. */
export interface ReceivableTerms {
  amount: string;
  salt: string;
  currency: string;
  invoiceNumbers: string[];
  contractNumber: string;
}

/** An opening as the limit and the obligor's issued total are sealed: `{amount, salt}`. */
export interface AmountOpening {
  amount: string;
  salt: string;
}

/** The supplier's registration: the terms sealed to itself and the obligor, every reference hashed. */
export async function registrationOf(
  id: string,
  amount: string,
  supplier: HeldInstitution,
  obligor: HeldInstitution,
  invoiceNumbers: string[],
  contractNumber: string,
  date = new Date().toISOString().slice(0, 10),
): Promise<ReceivableRegistrationInput> {
  const salt = newSalt();
  const terms: ReceivableTerms = { amount, salt, currency: 'CNY', invoiceNumbers, contractNumber };
  return {
    id,
    obligorId: obligor.record.id,
    currency: 'CNY',
    issueDate: date,
    maturityDate: date,
    amountHash: receivableAmountHash(amount, salt),
    contractHash: saltedHash(contractNumber, newSalt()),
    invoiceHash: saltedHash(invoiceNumbers, newSalt()),
    invoiceKeys: invoiceNumbers.map(receivableInvoiceKey),
    terms: await seal(terms, [recipientOf(supplier.record), recipientOf(obligor.record)]),
  };
}

/** A party opens a record's terms with its own key; they must open the amount hash on the ledger. */
export async function openTerms(record: ReceivableRecord, party: HeldInstitution): Promise<ReceivableTerms> {
  const { content } = await open<ReceivableTerms>(record.terms, party.keys.encryption.kid, party.keys.encryption.jwk);
  if (receivableAmountHash(content.amount, content.salt) !== record.amountHash) throw new Error(`the terms of ${record.id} do not open its amount hash`);
  return content;
}

/** The platform's limit, sealed to the obligor and the regulators. */
export async function limitOf(amount: string, obligor: HeldInstitution, regulators: readonly Institution[]): Promise<{ currency: string; limitHash: string; limit: EncryptedContent }> {
  const opening: AmountOpening = { amount, salt: newSalt() };
  return { currency: 'CNY', limitHash: receivableAmountHash(opening.amount, opening.salt), limit: await seal(opening, [recipientOf(obligor.record), ...regulators.map(recipientOf)]) };
}

/**
 * The obligor's confirmation of `record`: the argument (new total sealed to it and the regulators),
 * the transient openings, and the new total to keep for the next confirmation.
 */
export async function confirmationOf(
  record: ReceivableRecord,
  obligor: HeldInstitution,
  sealedLimit: EncryptedContent,
  regulators: readonly Institution[],
  issued: AmountOpening | undefined,
): Promise<{ argument: string; openings: Record<string, unknown>; next: AmountOpening }> {
  const terms = await openTerms(record, obligor);
  const { content: limit } = await open<AmountOpening>(sealedLimit, obligor.keys.encryption.kid, obligor.keys.encryption.jwk);
  const next: AmountOpening = { amount: (BigInt(issued?.amount ?? '0') + BigInt(terms.amount)).toString(), salt: newSalt() };
  const openings = { amount: { amount: terms.amount, salt: terms.salt }, limit, nextIssuedSalt: next.salt, ...(issued ? { issued } : {}) };
  const sealedIssued = await seal(next, [recipientOf(obligor.record), ...regulators.map(recipientOf)]);
  return { argument: JSON.stringify({ issued: sealedIssued }), openings, next };
}

/** A core enterprise and two suppliers of one run, as gateway tenants with one client-signer each. */
export interface ReceivableTenants {
  core: HeldInstitution;
  supA: HeldInstitution;
  supB: HeldInstitution;
  /** Gateway tenant entries (ids `core`, `supa`, `supb`, all hosted by the operator). */
  tenants: { id: string; institutionId: string; orgKey: string }[];
  /** The client-signer identity of each tenant, by tenant id. */
  identities: Record<'core' | 'supa' | 'supb', string>;
}

/**
 * Registers a fresh core enterprise and two suppliers (so a reused ledger starts clean for them),
 * keeps their keys in the demo key store the test gateway opens content with, and issues each a
 * client-signer identity.
 */
export async function receivableTenants(tag: string): Promise<ReceivableTenants> {
  const { core, supA, supB } = await withLedger('operator', 'admin', async (ledger) => {
    const enterprise = (id: string) => registerFresh(ledger, { id, kind: 'enterprise', mspId: 'OperatorMSP', nameZh: `${id} 有限公司`, nameEn: `${id} Co.`, registrationId: freshRegistrationId('91G') });
    return { core: await enterprise(`GC-${tag}`), supA: await enterprise(`GSA-${tag}`), supB: await enterprise(`GSB-${tag}`) };
  });
  for (const held of [core, supA, supB]) demoKeyStore().save(held.keys);
  const identities = { core: uniqueName('gcore'), supa: uniqueName('gsupa'), supb: uniqueName('gsupb') };
  networkScript('identity.sh', 'issue', 'operator', identities.core, 'client-signer', core.record.id);
  networkScript('identity.sh', 'issue', 'operator', identities.supa, 'client-signer', supA.record.id);
  networkScript('identity.sh', 'issue', 'operator', identities.supb, 'client-signer', supB.record.id);
  const tenants = [
    { id: 'core', institutionId: core.record.id, orgKey: 'operator' },
    { id: 'supa', institutionId: supA.record.id, orgKey: 'operator' },
    { id: 'supb', institutionId: supB.record.id, orgKey: 'operator' },
  ];
  return { core, supA, supB, tenants, identities };
}
