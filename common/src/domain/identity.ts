import { valuesOf } from './enum';

/** X.509 attributes issued by the network and read in chaincode with getAttributeValue. */
export const IdentityAttribute = {
  Role: 'econfirm.role',
  Institution: 'econfirm.institution',
} as const;

export const Role = {
  Auditor: 'auditor',
  ClientSigner: 'client-signer',
  BankOfficer: 'bank-officer',
  BankReviewer: 'bank-reviewer',
  /** The bank's lending side: files mortgage applications and discharge requests (not confirmations). */
  MortgageOfficer: 'mortgage-officer',
  /** Examines and prepares every decision of the registry — pre-registration, registration, rejection, change, transfer, discharge — for a registry reviewer (登记员). */
  Registrar: 'registrar',
  /** Approves or returns what a registrar prepared (审核): the checker of the registration centre. */
  RegistryReviewer: 'registry-reviewer',
  Regulator: 'regulator',
  Admin: 'admin',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ROLES = valuesOf(Role);

/**
 * The platform operator (the banking association). It administers the registry and hosts the
 * identities of institutions without their own MSP (clients, enterprises, mortgage registries).
 */
export const OPERATOR_MSP = 'OperatorMSP';

/**
 * MSP ids of the demo network (Bank2MSP runs no peer); the consortium adds Bank3MSP..Bank37MSP and
 * Firm2MSP..Firm89MSP.
 */
export const DemoMsp = {
  Operator: OPERATOR_MSP,
  Bank1: 'Bank1MSP',
  Bank2: 'Bank2MSP',
  Firm1: 'Firm1MSP',
  Regulator: 'RegulatorMSP',
} as const;

/** The platform's private data collection (network/collections.json): routing and status of the records, held by its members' peers. */
export const PLATFORM_COLLECTION = 'econfirmPlatform';

/**
 * The orgs whose peers hold the platform collection (network/collections.json) and so its
 * pseudonym key: the only ones that can endorse a step that reads or writes it
 * (chaincode/README.md, Need to know on the channel).
 */
export const PLATFORM_COLLECTION_MSPS: readonly string[] = [OPERATOR_MSP, DemoMsp.Regulator];

/**
 * Where an identity of `mspId` reads the platform collection: its own org's peers when they are a
 * member (the regulator reads on its own), else the operator's — the platform that holds the
 * routing and status of every record (chaincode/README.md, Need to know on the channel).
 */
export function platformReadOrg(mspId: string): string {
  return PLATFORM_COLLECTION_MSPS.includes(mspId) ? mspId : OPERATOR_MSP;
}

export function bankMspId(n: number): string {
  return `Bank${n}MSP`;
}

export function firmMspId(n: number): string {
  return `Firm${n}MSP`;
}
