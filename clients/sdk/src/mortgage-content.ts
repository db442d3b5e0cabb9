import {
  ENCUMBERING_STATES,
  mortgageCertificateKey,
  type EncryptedContent,
  type Encumbrance,
  type EncumbranceAmount,
  type EncumbranceDisclosureInput,
  type Institution,
  type MortgageChangeInput,
  type MortgageRecord,
  type MortgageRegistrationInput,
  type MortgageTransferInput,
  type MortgageView,
  type Page,
  type TransactionName,
  type UnitEncumbrancesView,
} from '@econfirm/common';
import { addRecipients, recipientOf, seal } from './content-crypto';
import type { InstitutionPrivateKeys } from './institution-keys';

/** What the registration certificate's sealed part says (the number and the matters certified). */
export interface MortgageCertificateContent {
  certificateNumber: string;
  right: '抵押权';
  mortgageId: string;
  registryId: string;
  mortgageeId: string;
  remarks?: string;
}

/** One mortgagor as the sealed application names it (natural persons are only here). */
export interface MortgagorContent {
  name: string;
  idNumber?: string;
  /** When the mortgagor is a registered client or enterprise: it is then a party of the record. */
  institutionId?: string;
}

/** A mortgagor as the application names it: a plain object with only the fields given (canonical JSON refuses class instances such as DTOs). */
export function mortgagorContent(m: MortgagorContent): MortgagorContent {
  return { name: m.name, ...(m.idNumber ? { idNumber: m.idNumber } : {}), ...(m.institutionId ? { institutionId: m.institutionId } : {}) };
}

/** The sealed application's plaintext (the gateway seals it at filing, chaincode/README.md "Mortgage contract"). */
export interface MortgageApplicationContent {
  unitNumber: string;
  location?: string;
  mortgagors?: MortgagorContent[];
  currency: string;
  securedPrincipal?: string;
  maximumAmount?: string;
  loanContract?: string;
}

/** What a registrar's change (变更登记) may change: the debt term's end, the amount the type secures, the loan contract. */
export interface MortgageChangeRequest {
  debtTermEnd?: string;
  securedPrincipal?: string;
  maximumAmount?: string;
  loanContract?: string;
}

/** A change or transfer the record's application cannot take; `path` names the offending field. */
export class MortgageContentError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
    this.name = 'MortgageContentError';
  }
}

/** Who a registration's sealed parts are addressed to: the mortgagee bank, the registry, every mortgagor institution (the chaincode checks the same list). */
export function mortgageRecipients(record: Pick<MortgageRecord, 'mortgageeId' | 'registryId' | 'mortgagorIds'>): string[] {
  return [...new Set([record.mortgageeId, record.registryId, ...record.mortgagorIds])];
}

/**
 * The registrar's RegisterMortgage argument: the certificate number as its ledger key, and the
 * certificate (number, right, registration, registry, mortgagee, remarks) sealed to the parties
 * with their registered encryption keys. One implementation for the gateway and the CLI.
 */
export async function mortgageRegistration(
  registry: { get(id: string): Promise<Institution> },
  record: Pick<MortgageRecord, 'id' | 'mortgageeId' | 'registryId' | 'mortgagorIds'>,
  certificateNumber: string,
  remarks?: string,
): Promise<MortgageRegistrationInput> {
  const content: MortgageCertificateContent = {
    certificateNumber,
    right: '抵押权',
    mortgageId: record.id,
    registryId: record.registryId,
    mortgageeId: record.mortgageeId,
    ...(remarks ? { remarks } : {}),
  };
  return { certificateKey: mortgageCertificateKey(certificateNumber), certificate: await sealToMortgageParties(registry, record, content) };
}

/** `content` sealed to the registration's parties (mortgageRecipients) with their registered encryption keys. */
export async function sealToMortgageParties(
  registry: { get(id: string): Promise<Institution> },
  record: Pick<MortgageRecord, 'mortgageeId' | 'registryId' | 'mortgagorIds'>,
  content: object,
): Promise<EncryptedContent> {
  const parties = await Promise.all(mortgageRecipients(record).map((id) => registry.get(id)));
  return seal(content, parties.map(recipientOf));
}

/**
 * The registrar's ChangeMortgage argument: the opened application with the change applied,
 * re-sealed to the record's parties. An ordinary mortgage changes its secured principal, a
 * maximum-amount one its maximum (DOMAIN §6: never both); a change that changes nothing is refused.
 * One implementation for the gateway and the CLI.
 */
export async function mortgageChange(
  registry: { get(id: string): Promise<Institution> },
  record: Pick<MortgageRecord, 'mortgageeId' | 'registryId' | 'mortgagorIds' | 'mortgageType' | 'debtTermStart' | 'debtTermEnd'>,
  opened: MortgageApplicationContent,
  change: MortgageChangeRequest,
): Promise<MortgageChangeInput> {
  const ordinary = record.mortgageType === 'ordinary';
  const wrong = ordinary ? 'maximumAmount' : 'securedPrincipal';
  if (change[wrong] !== undefined) throw new MortgageContentError(wrong, `a ${record.mortgageType} mortgage changes ${ordinary ? 'securedPrincipal' : 'maximumAmount'}, not ${wrong}`);
  if (change.debtTermEnd !== undefined && change.debtTermEnd <= record.debtTermStart) throw new MortgageContentError('debtTermEnd', `must be after the debt term's start ${record.debtTermStart}`);
  const amount = ordinary ? change.securedPrincipal : change.maximumAmount;
  const content: MortgageApplicationContent = {
    ...opened,
    ...(amount !== undefined ? (ordinary ? { securedPrincipal: amount } : { maximumAmount: amount }) : {}),
    ...(change.loanContract !== undefined ? { loanContract: change.loanContract } : {}),
  };
  const termChanged = change.debtTermEnd !== undefined && change.debtTermEnd !== record.debtTermEnd;
  if (!termChanged && JSON.stringify(content) === JSON.stringify(opened)) throw new MortgageContentError('change', 'changes nothing: give a new debtTermEnd, amount or loan contract');
  return { ...(change.debtTermEnd !== undefined ? { debtTermEnd: change.debtTermEnd } : {}), application: await sealToMortgageParties(registry, record, content) };
}

/**
 * The registrar's TransferMortgage argument: the property's new owners as the mortgagors (the
 * registered ones as `mortgagorIds`), the opened application naming them, sealed to the bank, the
 * registry and the new mortgagor institutions. One implementation for the gateway and the CLI.
 */
export async function mortgageTransfer(
  registry: { get(id: string): Promise<Institution> },
  record: Pick<MortgageRecord, 'mortgageeId' | 'registryId'>,
  opened: MortgageApplicationContent,
  mortgagors: readonly MortgagorContent[],
): Promise<MortgageTransferInput> {
  if (mortgagors.length === 0) throw new MortgageContentError('mortgagors', 'name at least one new owner');
  const named = mortgagors.map(mortgagorContent);
  const mortgagorIds = [...new Set(named.flatMap((m) => (m.institutionId ? [m.institutionId] : [])))];
  const content: MortgageApplicationContent = { ...opened, mortgagors: named };
  return { mortgagorIds, application: await sealToMortgageParties(registry, { ...record, mortgagorIds }, content) };
}

/** What an encumbrance answer shows of an opened application (the gateway seals `currency` and one amount at filing). */
export function encumbranceAmountOf(content: EncumbranceAmount): EncumbranceAmount {
  const { currency, securedPrincipal, maximumAmount } = content;
  return { currency, ...(securedPrincipal !== undefined ? { securedPrincipal } : {}), ...(maximumAmount !== undefined ? { maximumAmount } : {}) };
}

/** A read of the mortgage contract as the caller (the gateway's tenant read, or the CLI's evaluate). */
export type MortgageRead = (transaction: TransactionName<'mortgage'>, ...args: string[]) => Promise<Uint8Array>;

const decoder = new TextDecoder();

/**
 * The unit's active registrations whose applications the caller reads: a registrar from the
 * encumbrance answer (the registry is sealed every application), a mortgagor from its own list.
 */
export async function activeApplications(read: MortgageRead, asRegistry: boolean, unitKey: string): Promise<Array<{ mortgageId: string; application: EncryptedContent }>> {
  if (asRegistry) {
    const answer = JSON.parse(decoder.decode(await read('GetEncumbrances', unitKey))) as { encumbrances: Encumbrance[] };
    return answer.encumbrances.flatMap((e) => (e.application ? [{ mortgageId: e.mortgageId, application: e.application }] : []));
  }
  const out: Array<{ mortgageId: string; application: EncryptedContent }> = [];
  let bookmark = '';
  do {
    const page = JSON.parse(decoder.decode(await read('ListMortgages', '', '200', bookmark))) as Page<MortgageView>;
    for (const r of page.records) if (r.unitKey === unitKey && ENCUMBERING_STATES.includes(r.state)) out.push({ mortgageId: r.id, application: r.application });
    bookmark = page.records.length === 0 && page.fetchedRecordsCount === 0 ? '' : page.bookmark;
  } while (bookmark !== '');
  return out;
}

/**
 * AuthorizeEncumbranceQuery's `applications`: each application `keys` opens, widened to the bank's
 * registered key (sealed when the right arises: the owner's consent is what lets the bank read the
 * amounts). One the key does not open (a co-owner's registration) is left out: it cannot be
 * disclosed by this owner. One implementation for the gateway and the CLI.
 */
export async function encumbranceDisclosures(
  sealed: ReadonlyArray<{ mortgageId: string; application: EncryptedContent }>,
  keys: InstitutionPrivateKeys,
  bank: Institution,
): Promise<Array<{ mortgageId: string; ciphertext: string }>> {
  const out: Array<{ mortgageId: string; ciphertext: string }> = [];
  for (const { mortgageId, application } of sealed) {
    try {
      out.push({ mortgageId, ciphertext: await addRecipients(application.ciphertext, keys, [recipientOf(bank)]) });
    } catch {
      // Not sealed to this owner's key.
    }
  }
  return out;
}

/**
 * DiscloseEncumbrances' `disclosures` for a unit as its registry reads it (GetEncumbrances with
 * `consents`): every active application a current consent's bank cannot open yet (registered,
 * changed or transferred after the consent), widened with the registry's key to that bank's
 * registered key. `bankOf` gives the bank's current registry record. One implementation for the
 * gateway and the CLI.
 */
export async function pendingDisclosures(
  view: UnitEncumbrancesView,
  keys: InstitutionPrivateKeys,
  bankOf: (bankId: string) => Promise<Institution>,
): Promise<EncumbranceDisclosureInput[]> {
  const out: EncumbranceDisclosureInput[] = [];
  for (const consent of view.consents ?? []) {
    const missing = view.encumbrances.flatMap((e) => (e.application && !consent.disclosed.includes(e.mortgageId) ? [{ mortgageId: e.mortgageId, application: e.application }] : []));
    if (missing.length === 0) continue;
    const bank = await bankOf(consent.bankId);
    for (const { mortgageId, ciphertext } of await encumbranceDisclosures(missing, keys, bank)) out.push({ bankId: consent.bankId, mortgageId, ciphertext });
  }
  return out;
}
