import type { Institution, InstitutionProfile } from '@econfirm/common';
import type { LedgerSession } from './connection';
import { InstitutionKeyStore, registrationInput, signingPublicKeyPem } from './institution-keys';
import { LedgerCallError } from './ledger-call-error';
import { RegistryClient } from './registry-client';

/**
 * The demo institutions matching the network's demo identities (network/README.md): the bank and
 * its Shanghai branch, a second bank, the audit firm, its client, a customer enterprise (the core enterprise of the
 * receivables demo) and two suppliers, a mortgage registry and the regulator. Clients, enterprises and registries have no peers: the operator hosts them.
 */
export const DEMO_INSTITUTIONS: readonly InstitutionProfile[] = [
  { id: 'BANK1', kind: 'bank', mspId: 'Bank1MSP', nameZh: '第一商业银行', nameEn: 'First Commercial Bank', registrationId: 'B0001H111000001' },
  { id: 'BANK1-SH', kind: 'bank-branch', parentId: 'BANK1', mspId: 'Bank1MSP', nameZh: '第一商业银行上海分行', nameEn: 'First Commercial Bank Shanghai Branch', registrationId: 'B0001B231000001' },
  // A second bank, a channel member without a peer of its own (network/README.md): SUP1 asks it to finance a receivable.
  { id: 'BANK2', kind: 'bank', mspId: 'Bank2MSP', nameZh: '第二商业银行', nameEn: 'Second Commercial Bank', registrationId: 'B0002H111000001' },
  { id: 'FIRM1', kind: 'audit-firm', mspId: 'Firm1MSP', nameZh: '信达会计师事务所', nameEn: 'Xinda Certified Public Accountants', registrationId: '31000001' },
  { id: 'CLIENT1', kind: 'client', mspId: 'OperatorMSP', nameZh: '华东制造股份有限公司', nameEn: 'East China Manufacturing Co., Ltd.', registrationId: '91310000MA1FL0001X' },
  { id: 'ENT1', kind: 'enterprise', mspId: 'OperatorMSP', nameZh: '江南贸易有限公司', nameEn: 'Jiangnan Trading Co., Ltd.', registrationId: '91320000MA1FL0002Y' },
  // Receivables (issue 13): ENT1 is the core enterprise; its supplier and that supplier's own supplier.
  { id: 'SUP1', kind: 'enterprise', mspId: 'OperatorMSP', nameZh: '苏州精密零件有限公司', nameEn: 'Suzhou Precision Parts Co., Ltd.', registrationId: '91320500MA1FL0003A' },
  { id: 'SUP2', kind: 'enterprise', mspId: 'OperatorMSP', nameZh: '无锡特种钢材有限公司', nameEn: 'Wuxi Special Steel Co., Ltd.', registrationId: '91320200MA1FL0004B' },
  { id: 'MREG1', kind: 'mortgage-registry', mspId: 'OperatorMSP', nameZh: '上海市不动产登记中心', nameEn: 'Shanghai Real Estate Registration Centre', registrationId: '11310000MB0001234Z' },
  { id: 'REGULATOR', kind: 'regulator', mspId: 'RegulatorMSP', nameZh: '财政部会计监督检查局', nameEn: 'Accounting Supervision Bureau', registrationId: '11100000000013127A' },
];

export interface SeedResult {
  registered: string[];
  existing: string[];
  institutions: Institution[];
  /** Institutions whose signing key got a certificate in this run. */
  certified: string[];
}

/**
 * Issues a certificate chain (base64 DER, leaf first) for an institution's signing public key under
 * its org CA; the CLI does it with network/identity.sh certify.
 */
export type SigningKeyCertifier = (profile: InstitutionProfile, kid: string, publicKeyPem: string) => string[] | Promise<string[]>;

/**
 * Registers every demo institution that is not yet in the registry (as the operator's admin);
 * their private keys go to `keys` (demo custody: in production each institution keeps its own).
 * Idempotent: running it again registers nothing.
 */
export async function seedDemoInstitutions(operatorAdmin: LedgerSession, keys: InstitutionKeyStore, certify?: SigningKeyCertifier): Promise<SeedResult> {
  const registry = new RegistryClient(operatorAdmin);
  const result: SeedResult = { registered: [], existing: [], institutions: [], certified: [] };
  for (const profile of DEMO_INSTITUTIONS) {
    let institution: Institution;
    try {
      institution = await registry.get(profile.id);
      result.existing.push(profile.id);
    } catch (err) {
      if (!(err instanceof LedgerCallError && err.code === 'NOT_FOUND')) {
        throw err;
      }
      institution = (await registry.register(registrationInput(profile, keys.loadOrCreate(profile.id)))).institution;
      result.registered.push(profile.id);
    }
    result.institutions.push(institution);
    // Certify the signing key we hold for the registered kid, once (idempotent like the rest).
    if (certify && keys.has(profile.id)) {
      const held = keys.load(profile.id);
      if (held.signing.kid === institution.signingKey.kid && !held.signing.x5c?.length) {
        held.signing.x5c = await certify(profile, held.signing.kid, signingPublicKeyPem(held));
        keys.save(held);
        result.certified.push(profile.id);
      }
    }
  }
  return result;
}
