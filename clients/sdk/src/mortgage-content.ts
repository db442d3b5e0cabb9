import {
  ENCUMBERING_STATES,
  mortgageCertificateKey,
  type EncryptedContent,
  type Encumbrance,
  type EncumbranceAmount,
  type EncumbranceDisclosureInput,
  type Institution,
  type MortgageRecord,
  type MortgageRegistrationInput,
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
  const parties = await Promise.all(mortgageRecipients(record).map((id) => registry.get(id)));
  return { certificateKey: mortgageCertificateKey(certificateNumber), certificate: await seal(content, parties.map(recipientOf)) };
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
