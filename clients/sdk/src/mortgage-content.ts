import { mortgageCertificateKey, type Institution, type MortgageRecord, type MortgageRegistrationInput } from '@econfirm/common';
import { recipientOf, seal } from './content-crypto';

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
