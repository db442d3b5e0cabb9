import { sha256Hex } from '../crypto/salted-hash';
import { EncryptedContent } from './confirmation';
import { valuesOf } from './enum';

/**
 * Mortgage registrations (不动产抵押登记; chaincode/README.md, "Mortgage contract") as the `mortgage` contract
 * keeps them (chaincode/src/contracts/mortgage-contract.ts). What identifies a person or a
 * property, and every amount, is sealed content (`application`, `certificate`); the ledger keeps
 * routing, state, order and hashes.
 */

/** Ordinary: secures a principal. Maximum-amount (最高额): secures up to a ceiling. Never both. */
export const MortgageType = { Ordinary: 'ordinary', MaximumAmount: 'maximum-amount' } as const;
export type MortgageType = (typeof MortgageType)[keyof typeof MortgageType];
export const MORTGAGE_TYPES = valuesOf(MortgageType);

export const PropertyType = {
  Residential: 'residential',
  Commercial: 'commercial',
  Industrial: 'industrial',
  Land: 'land-use-right',
  Other: 'other',
} as const;
export type PropertyType = (typeof PropertyType)[keyof typeof PropertyType];
export const PROPERTY_TYPES = valuesOf(PropertyType);

export const MortgageState = {
  /** Filed by the mortgagee bank with the mortgagor's consent, awaiting the registry. */
  Applied: 'applied',
  /** A registrar prepared the pre-registration; a registry reviewer approves or returns it. */
  PreRegistrationInReview: 'pre-registration-in-review',
  /** 预告登记: recorded before the property exists as a unit of its own (e.g. off-plan housing). */
  PreRegistered: 'pre-registered',
  /** A registrar prepared the registration (certificate number reserved); a registry reviewer approves or returns it. */
  RegistrationInReview: 'registration-in-review',
  Registered: 'registered',
  /** A registrar prepared a change (变更登记); still encumbering as it was until a registry reviewer approves it. */
  ChangeInReview: 'change-in-review',
  /** Registered, then changed by the registry (term, amount, parties' details). */
  Changed: 'changed',
  /** A registrar prepared a transfer (转移登记); still encumbering, the mortgagors unchanged, until a registry reviewer approves it. */
  TransferInReview: 'transfer-in-review',
  /** The property changed hands with the mortgage attached (new mortgagors). */
  Transferred: 'transferred',
  /** The bank asked for discharge after payoff; still an encumbrance until the registry acts. */
  DischargeRequested: 'discharge-requested',
  /** A registrar prepared the discharge; still an encumbrance until a registry reviewer approves it. */
  DischargeInReview: 'discharge-in-review',
  /** Read-only from here on. */
  Discharged: 'discharged',
  /** A registrar prepared the rejection (不予登记); a registry reviewer approves or returns it. */
  RejectionInReview: 'rejection-in-review',
  Rejected: 'rejected',
} as const;
export type MortgageState = (typeof MortgageState)[keyof typeof MortgageState];
export const MORTGAGE_STATES = valuesOf(MortgageState);

/** States in which a registration encumbers its unit and holds a priority rank. */
export const ENCUMBERING_STATES: readonly MortgageState[] = [
  MortgageState.Registered,
  MortgageState.ChangeInReview,
  MortgageState.Changed,
  MortgageState.TransferInReview,
  MortgageState.Transferred,
  MortgageState.DischargeRequested,
  MortgageState.DischargeInReview,
];

/**
 * States reached only through registration (the record carries `registeredAt` and a certificate):
 * every encumbering state, and 'discharged', which encumbered until `dischargedAt`.
 */
export const REGISTERED_MORTGAGE_STATES: readonly MortgageState[] = [...ENCUMBERING_STATES, MortgageState.Discharged];

export const DischargeReason = { Repaid: 'repaid', Released: 'released', CourtOrder: 'court-order', Other: 'other' } as const;
export type DischargeReason = (typeof DischargeReason)[keyof typeof DischargeReason];
export const DISCHARGE_REASONS = valuesOf(DischargeReason);

export const MortgageAction = {
  File: 'FileMortgageApplication',
  PreRegister: 'PreRegisterMortgage',
  Register: 'RegisterMortgage',
  Reject: 'RejectMortgageApplication',
  Change: 'ChangeMortgage',
  Transfer: 'TransferMortgage',
  RequestDischarge: 'RequestMortgageDischarge',
  Discharge: 'DischargeMortgage',
  /** The registry reviewer approves the step a registrar prepared (every registry decision: ReviewedMortgageAction). */
  Approve: 'ApproveMortgageStep',
  /** The registry reviewer sends it back to the registrar's queue, with a reason code. */
  Return: 'ReturnMortgageStep',
} as const;
export type MortgageAction = (typeof MortgageAction)[keyof typeof MortgageAction];

export interface MortgageStep {
  action: MortgageAction;
  state: MortgageState;
  /** The certificate identity that acted (the registry officer for registry steps). */
  by: string;
  at: string;
}

/**
 * The registry steps that take a second registry identity (maker–checker, chaincode/README.md):
 * every decision of the registry that enters the register or refuses to.
 */
export const REVIEWED_MORTGAGE_ACTIONS = [
  MortgageAction.PreRegister,
  MortgageAction.Register,
  MortgageAction.Reject,
  MortgageAction.Change,
  MortgageAction.Transfer,
  MortgageAction.Discharge,
] as const;
export type ReviewedMortgageAction = (typeof REVIEWED_MORTGAGE_ACTIONS)[number];

/** The state a prepared step waits in, for each reviewed action (the reviewer's queue). */
export const REVIEW_STATE: Readonly<Record<ReviewedMortgageAction, MortgageState>> = {
  [MortgageAction.PreRegister]: MortgageState.PreRegistrationInReview,
  [MortgageAction.Register]: MortgageState.RegistrationInReview,
  [MortgageAction.Reject]: MortgageState.RejectionInReview,
  [MortgageAction.Change]: MortgageState.ChangeInReview,
  [MortgageAction.Transfer]: MortgageState.TransferInReview,
  [MortgageAction.Discharge]: MortgageState.DischargeInReview,
};
export const IN_REVIEW_STATES: readonly MortgageState[] = Object.values(REVIEW_STATE);

/** A change the registrar prepared: the re-sealed application and the debt term's end, applied when approved. */
export interface MortgageChangeInput {
  /** Omitted: unchanged. */
  debtTermEnd?: string;
  /** The application with the changed matters, sealed to the same parties. */
  application: EncryptedContent;
}

/** A transfer the registrar prepared: the new owners as mortgagors and the application sealed to them, applied when approved. */
export interface MortgageTransferInput {
  /** The new owners' registered institutions (individuals only in the sealed content). */
  mortgagorIds: string[];
  /** Sealed to the bank, the registry and the new mortgagor institutions. */
  application: EncryptedContent;
}

/** What a registrar prepared and a registry reviewer has yet to approve or return. */
export interface MortgageReview {
  action: ReviewedMortgageAction;
  /** The state the record goes back to when the reviewer returns it. */
  from: MortgageState;
  /** The registrar's certificate identity: the reviewer must be another. */
  preparedBy: string;
  preparedAt: string;
  /** A discharge's case number and reason, applied when approved. */
  caseNumber?: string;
  reason?: DischargeReason;
  /** A rejection's reason code, applied when approved. */
  rejectionReason?: string;
  /** A change's new debt term end and application, applied when approved. */
  change?: Required<MortgageChangeInput>;
  /** A transfer's new mortgagors and application, applied when approved. */
  transfer?: MortgageTransferInput;
}

/** The reviewer's last return of a prepared step (it stays in the key history too). */
export interface MortgageReviewReturn {
  action: ReviewedMortgageAction;
  by: string;
  at: string;
  reason: string;
}

/** What the mortgagee bank files. */
export interface MortgageApplicationInput {
  /** Made by the bank's software (REQUEST_ID format). */
  id: string;
  registryId: string;
  /**
   * SHA-256 hex of the property unit number (不动产单元号) as `mortgageUnitKey` computes it: the
   * uniqueness and priority key. The number itself is in the sealed application.
   */
  unitKey: string;
  propertyType: PropertyType;
  mortgageType: MortgageType;
  debtTermStart: string;
  debtTermEnd: string;
  preRegistration: boolean;
  /** Registered institutions (clients, enterprises) among the mortgagors; individuals are only in the sealed content. */
  mortgagorIds: string[];
  /** Salted hash of the mortgagor's signed consent to the filing (the document stays with the bank). */
  consentHash: string;
  /**
   * Sealed to the bank, the registry and every mortgagor institution: unit number, location,
   * mortgagors' names and ids, secured principal or maximum amount, currency, loan contract.
   */
  application: EncryptedContent;
}

export interface MortgageRegistrationInput {
  /** SHA-256 hex of the registration certificate number (不动产登记证明号), unique on the ledger. */
  certificateKey: string;
  /** The certificate's content (number, matters certified, remarks), sealed to the same parties. */
  certificate: EncryptedContent;
}

/** The application as filed, and what the ledger adds. */
export interface MortgageRecord extends MortgageApplicationInput {
  mortgageeId: string;
  state: MortgageState;
  certificateKey?: string;
  certificate?: EncryptedContent;
  registeredAt?: string;
  /** The registrar who examined and prepared the registration (the reviewer's approval is in `steps`). */
  registeredBy?: string;
  /** The registry reviewer who approved the registration. */
  registrationApprovedBy?: string;
  /** Present while a step a registrar prepared awaits the registry reviewer (IN_REVIEW_STATES). */
  review?: MortgageReview;
  lastReviewReturn?: MortgageReviewReturn;
  rejectionReason?: string;
  dischargeReason?: DischargeReason;
  dischargeCaseNumber?: string;
  dischargedAt?: string;
  steps: MortgageStep[];
}

/** A record as a reader sees it: with its current priority on the unit (1 = first), when it encumbers. */
export interface MortgageView extends MortgageRecord {
  priority?: number;
}

/** One committed version of a registration: the transaction that wrote it (from the key's history). */
export interface MortgageTrailStep {
  txId: string;
  timestamp: string;
  state: MortgageState;
}

/**
 * What the registration certificate (clients/evidence, "Mortgage registration certificate") is made
 * from: the record as a party reads it and every committed version of it, oldest first.
 */
export interface MortgageEvidence {
  mortgage: MortgageView;
  trail: MortgageTrailStep[];
}

/** One active encumbrance of a unit, as an authorized lender sees it before lending. */
export interface Encumbrance {
  mortgageId: string;
  priority: number;
  mortgageType: MortgageType;
  mortgageeId: string;
  registeredAt: string;
  debtTermStart: string;
  debtTermEnd: string;
  state: MortgageState;
  /**
   * The sealed application (amount and currency among its content), when the caller can open it:
   * a registrar or reviewer of the registry gets the record's; an authorized bank the copy the
   * owner widened to it at authorization, and only while the record's application is still the
   * one widened (its contentHash, the ledger's, is what an opened copy is checked against).
   */
  application?: EncryptedContent;
}

/** What an opened application says an encumbrance secures: one of the two amounts (DOMAIN §6), in minor-unit-free decimal text as filed. */
export interface EncumbranceAmount {
  currency: string;
  securedPrincipal?: string;
  maximumAmount?: string;
}

/**
 * Whether a reader is shown an encumbrance's amount (the gateway's answer, gateway/README.md):
 * `shown` (opened with the reader's key and matching the ledger's salted hash), `not-disclosed`
 * (nothing sealed to it: for a bank, the owner's authorization did not widen this registration's
 * application, or it changed since), `no-key` (sealed to it, but the gateway holds no key of the
 * tenant: open `application` with your own), `unreadable` (does not open to what the ledger hashed).
 */
export const AMOUNT_STATUSES = ['shown', 'not-disclosed', 'no-key', 'unreadable'] as const;
export type AmountStatus = (typeof AMOUNT_STATUSES)[number];

/** An encumbrance as the gateway answers it: the amount only, never the application's names. */
export type PresentedEncumbrance = Encumbrance & { amountStatus: AmountStatus; amount?: EncumbranceAmount };

/** One registration's application as the unit owner widened it to the querying bank (SDK addRecipients). */
export interface EncumbranceDisclosure {
  mortgageId: string;
  application: EncryptedContent;
}

/** The unit owner's consent that `bankId` may see the unit's encumbrances until `validUntil` (ISO date, inclusive, UTC). */
export interface EncumbranceQueryAuthorization {
  unitKey: string;
  bankId: string;
  validUntil: string;
  grantedBy: string;
  grantedFor: string;
  at: string;
  /** The active registrations' applications widened to the bank, so it reads their amounts. */
  disclosures?: EncumbranceDisclosure[];
}

/** What AuthorizeEncumbranceQuery answers: the consent, and which registrations' applications the bank may now open. */
export type EncumbranceQueryAuthorizationView = Omit<EncumbranceQueryAuthorization, 'disclosures'> & { disclosed: string[] };

/**
 * A current consent on a unit as its registry sees it (GetEncumbrances, registry roles only): the
 * bank, the consent's last day, and the registrations whose current application the bank may open.
 * An active registration missing from `disclosed` (registered, changed or transferred after the
 * consent) is what the registry widens to the bank with DiscloseEncumbrances.
 */
export interface EncumbranceConsentView {
  bankId: string;
  validUntil: string;
  disclosed: string[];
}

/** GetEncumbrances' answer: `consents` for the registry's roles only. */
export interface UnitEncumbrancesView {
  unitKey: string;
  encumbrances: Encumbrance[];
  consents?: EncumbranceConsentView[];
}

/** One application the registry widened to a bank holding a current consent (DiscloseEncumbrances). */
export interface EncumbranceDisclosureInput {
  bankId: string;
  mortgageId: string;
  /** The record's application with the bank's current key appended (SDK addRecipients). */
  ciphertext: string;
}

/** The mortgagor client's consent that its auditors (firm) see its registrations until `validUntil`. */
export interface AuditorMortgageAccess {
  clientId: string;
  firmId: string;
  validUntil: string;
  grantedBy: string;
  at: string;
}

/**
 * The ledger key of a property unit number or a certificate number. Both are guessable: a member
 * who already knows a number can test whether it is on the ledger — the limit chaincode/README.md
 * ("Mortgage contract") states until the keys move into the custodians' collection (issue 11).
 * Unit numbers are compared without spaces and in upper case, as registries print them variously.
 */
export function mortgageUnitKey(unitNumber: string): string {
  return sha256Hex(`econfirm/mortgage-unit/v1\n${unitNumber.replace(/\s+/g, '').toUpperCase()}`);
}

export function mortgageCertificateKey(certificateNumber: string): string {
  return sha256Hex(`econfirm/mortgage-certificate/v1\n${certificateNumber.replace(/\s+/g, '')}`);
}
