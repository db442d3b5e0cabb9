import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  canonicalJson,
  Encumbrance,
  EncumbranceConsentView,
  EncumbranceDisclosure,
  EncumbranceQueryAuthorization,
  EncumbranceQueryAuthorizationView,
  ENCUMBERING_STATES,
  ErrorCode,
  Institution,
  InstitutionKind,
  INSTITUTION_ID,
  IN_REVIEW_STATES,
  isOneOf,
  LedgerError,
  MORTGAGE_STATES,
  MortgageAction,
  MortgageChangeInput,
  MortgageEvidence,
  MortgageRecord,
  MortgageReview,
  MortgageState,
  MortgageTransferInput,
  MortgageView,
  MAX_CIPHERTEXT_CHARS,
  REQUEST_ID,
  REVIEW_STATE,
  ReviewedMortgageAction,
  Role,
  SHA256_HEX,
  UnitEncumbrancesView,
} from '@econfirm/common';
import { forbidden, InstitutionCaller, requireInstitutionCaller } from '../auth/caller';
import { emitEvent, EventName } from '../events';
import { readApplication, readChange, readDischarge, readDischargeRequest, readRegistration, readRejection, readReviewReturn, readTransfer, readValidUntil } from '../models/mortgage-input';
import { readSealed, readWidened } from '../models/sealing';
import { activeInstitution, institutionsOf } from '../state/institution-store';
import { listIndex, readIndexPage } from '../state/ledger';
import {
  certificateHolder,
  claimCertificate,
  deleteAuditorAccess,
  findMortgage,
  getMortgageRecord,
  mortgageExists,
  mortgageHistory,
  MortgageIndex,
  mortgageParties,
  readAuditorAccess,
  readQueryAuthorization,
  unitQueryAuthorizations,
  readUnit,
  releaseCertificate,
  saveMortgage,
  UnitEncumbrances,
  writeAuditorAccess,
  writeQueryAuthorization,
  writeUnit,
} from '../state/mortgage-store';
import { txTimeIso } from '../state/tx-time';
import { checkString, FieldReader, invalid, parseJsonArgument } from '../validation/field-reader';
import { parsePageSize } from '../validation/paging';

export const MORTGAGE_CONTRACT = 'mortgage';

const S = MortgageState;
const BANK_ROLES: readonly Role[] = [Role.MortgageOfficer, Role.BankOfficer, Role.BankReviewer];
const REGISTRY_ROLES: readonly Role[] = [Role.Registrar, Role.RegistryReviewer];
const READER_ROLES = [...BANK_ROLES, ...REGISTRY_ROLES, Role.ClientSigner, Role.Auditor, Role.Regulator];

/** The states each action may start from (chaincode/README.md, "Mortgage contract"). */
const FROM: Readonly<Record<MortgageAction, readonly MortgageState[]>> = {
  [MortgageAction.File]: [],
  [MortgageAction.PreRegister]: [S.Applied],
  [MortgageAction.Register]: [S.Applied, S.PreRegistered],
  [MortgageAction.Reject]: [S.Applied, S.PreRegistered],
  [MortgageAction.Change]: [S.Registered, S.Changed, S.Transferred],
  [MortgageAction.Transfer]: [S.Registered, S.Changed, S.Transferred],
  [MortgageAction.RequestDischarge]: [S.Registered, S.Changed, S.Transferred],
  [MortgageAction.Discharge]: [S.DischargeRequested],
  [MortgageAction.Approve]: IN_REVIEW_STATES,
  [MortgageAction.Return]: IN_REVIEW_STATES,
};

function requireFrom(record: MortgageRecord, action: MortgageAction): void {
  if (!FROM[action].includes(record.state)) {
    throw new LedgerError(ErrorCode.InvalidStateTransition, `cannot ${action} mortgage ${record.id}: it is ${record.state}`);
  }
}

/** A stranger's refusal is word for word the one for an unknown id: ids cannot be probed. */
function hidden(id: string): LedgerError {
  return new LedgerError(ErrorCode.NotFound, `mortgage ${id} does not exist`);
}

/** Mortgagor institutions are active registered clients or enterprises (filing, and a transfer's new owners). */
async function activeMortgagors(ctx: Context, ids: readonly string[], field: string): Promise<Institution[]> {
  const out: Institution[] = [];
  for (const [i, id] of ids.entries()) out.push(await activeInstitution(ctx, id, `${field}[${i}]`, [InstitutionKind.Client, InstitutionKind.Enterprise]));
  return out;
}

function today(ctx: Context): string {
  return txTimeIso(ctx).slice(0, 10);
}

/**
 * Mortgage registrations (不动产抵押登记): the mortgagee bank's mortgage officer files, the
 * registration centre's registrar examines and prepares every decision of the registry
 * (pre-registration, registration, rejection, change, transfer, discharge), which a registry
 * reviewer — another identity — approves or returns (maker–checker, as a bank's reply). Priority
 * on a unit follows the order of registration (the reviewer's approval), kept in one key per unit
 * that every registration and discharge of the unit
 * reads and writes (so MVCC orders racing registrations; no query decides anything). Names,
 * numbers and amounts are sealed to the bank, the registry and the mortgagor institutions.
 */
@Info({ title: 'MortgageContract', description: 'mortgage registrations, priority and discharge' })
export class MortgageContract extends Contract {
  constructor() {
    super(MORTGAGE_CONTRACT);
  }

  // ---- the bank -------------------------------------------------------------------------------

  @Transaction()
  @Returns('string')
  public async FileMortgageApplication(ctx: Context, applicationJson: string): Promise<string> {
    // The lending side only: a bank-officer or -reviewer answers auditors and does not file (least privilege).
    const caller = await requireInstitutionCaller(ctx, [Role.MortgageOfficer]);
    const fields = readApplication(applicationJson);
    if (await mortgageExists(ctx, fields.id)) throw new LedgerError(ErrorCode.AlreadyExists, `mortgage ${fields.id} already exists`);
    const registry = await activeInstitution(ctx, fields.registryId, 'registryId', [InstitutionKind.MortgageRegistry]);
    const mortgagors = await activeMortgagors(ctx, fields.mortgagorIds, 'mortgagorIds');
    const application = readSealed(fields.application, [caller.institution, registry, ...mortgagors]);
    const at = txTimeIso(ctx);
    const record: MortgageRecord = {
      ...fields,
      mortgageeId: caller.institution.id,
      application,
      state: S.Applied,
      steps: [{ action: MortgageAction.File, state: S.Applied, by: caller.identityId, at }],
    };
    await saveMortgage(ctx, record);
    emitEvent(ctx, EventName.MortgageChanged, { id: record.id, state: record.state, action: MortgageAction.File });
    return canonicalJson(await this.view(ctx, record));
  }

  /** After payoff: the registry then discharges. */
  @Transaction()
  @Returns('string')
  public async RequestMortgageDischarge(ctx: Context, id: string, requestJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.MortgageOfficer]);
    const record = await this.ownRecord(ctx, caller, id, (r) => r.mortgageeId);
    const { reason } = readDischargeRequest(requestJson);
    requireFrom(record, MortgageAction.RequestDischarge);
    return this.move(ctx, caller, record, MortgageAction.RequestDischarge, { ...record, state: S.DischargeRequested, dischargeReason: reason });
  }

  // ---- the registry ---------------------------------------------------------------------------

  /** 预告登记, when the application asked for it: prepared here, in the register when a registry reviewer approves it. */
  @Transaction()
  @Returns('string')
  public async PreRegisterMortgage(ctx: Context, id: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.Registrar]);
    const record = await this.ownRecord(ctx, caller, id, (r) => r.registryId);
    requireFrom(record, MortgageAction.PreRegister);
    if (!record.preRegistration) throw new LedgerError(ErrorCode.InvalidStateTransition, `cannot ${MortgageAction.PreRegister} mortgage ${id}: no pre-registration was applied for`);
    return this.prepare(ctx, caller, record, MortgageAction.PreRegister, {});
  }

  /**
   * The registrar's examination done, it prepares the registration: the certificate number is
   * reserved here (read and written: of two registrations racing for one number, MVCC lets one
   * commit), the unit's priority only when a registry reviewer approves (ApproveMortgageStep).
   */
  @Transaction()
  @Returns('string')
  public async RegisterMortgage(ctx: Context, id: string, registrationJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.Registrar]);
    const record = await this.ownRecord(ctx, caller, id, (r) => r.registryId);
    requireFrom(record, MortgageAction.Register);
    const { certificateKey, certificate } = readRegistration(registrationJson);
    const holder = await certificateHolder(ctx, certificateKey);
    if (holder !== undefined) throw new LedgerError(ErrorCode.AlreadyExists, 'registration.certificateKey: this certificate number is already registered');
    const sealed = readSealed(certificate, await this.partiesOf(ctx, record));
    await claimCertificate(ctx, certificateKey, id);
    return this.prepare(ctx, caller, { ...record, certificateKey, certificate: sealed, registeredBy: caller.identityId }, MortgageAction.Register, {});
  }

  /** 不予登记 with a reason code: prepared here, final when a registry reviewer approves it. */
  @Transaction()
  @Returns('string')
  public async RejectMortgageApplication(ctx: Context, id: string, rejectionJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.Registrar]);
    const record = await this.ownRecord(ctx, caller, id, (r) => r.registryId);
    requireFrom(record, MortgageAction.Reject);
    const { reason } = readRejection(rejectionJson);
    return this.prepare(ctx, caller, record, MortgageAction.Reject, { rejectionReason: reason });
  }

  /**
   * 变更登记: new sealed content (amount, details) and optionally a new end of the debt term. The
   * record keeps encumbering as it was, at its rank, until a registry reviewer approves the change.
   */
  @Transaction()
  @Returns('string')
  public async ChangeMortgage(ctx: Context, id: string, changeJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.Registrar]);
    const record = await this.ownRecord(ctx, caller, id, (r) => r.registryId);
    requireFrom(record, MortgageAction.Change);
    const change = readChange(changeJson);
    const debtTermEnd = change.debtTermEnd ?? record.debtTermEnd;
    if (debtTermEnd <= record.debtTermStart) throw invalid('change.debtTermEnd', 'must be after debtTermStart');
    const application = readSealed(change.application, await this.partiesOf(ctx, record));
    return this.prepare(ctx, caller, record, MortgageAction.Change, { change: { debtTermEnd, application } });
  }

  /**
   * 转移登记: the property changed hands with the mortgage attached, the new owners become the
   * mortgagors when a registry reviewer approves. The pending application is sealed to them now
   * (they applied for the transfer at the centre); they read the record only from the approval.
   */
  @Transaction()
  @Returns('string')
  public async TransferMortgage(ctx: Context, id: string, transferJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.Registrar]);
    const record = await this.ownRecord(ctx, caller, id, (r) => r.registryId);
    requireFrom(record, MortgageAction.Transfer);
    const { mortgagorIds, application: sealedFields } = readTransfer(transferJson);
    await activeMortgagors(ctx, mortgagorIds, 'transfer.mortgagorIds');
    const application = readSealed(sealedFields, await this.partiesOf(ctx, { ...record, mortgagorIds }));
    return this.prepare(ctx, caller, record, MortgageAction.Transfer, { transfer: { mortgagorIds, application } });
  }

  /** The registrar prepares the discharge; it encumbers until a registry reviewer approves it. */
  @Transaction()
  @Returns('string')
  public async DischargeMortgage(ctx: Context, id: string, dischargeJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.Registrar]);
    const record = await this.ownRecord(ctx, caller, id, (r) => r.registryId);
    requireFrom(record, MortgageAction.Discharge);
    const { caseNumber, reason } = readDischarge(dischargeJson);
    return this.prepare(ctx, caller, record, MortgageAction.Discharge, { caseNumber, reason });
  }

  // ---- the registry reviewer (the checker) ------------------------------------------------------

  /** Approves the step a registrar of the same registry prepared: it takes effect now. */
  @Transaction()
  @Returns('string')
  public async ApproveMortgageStep(ctx: Context, id: string): Promise<string> {
    const { caller, record, review } = await this.toReview(ctx, id, MortgageAction.Approve);
    const { review: _done, ...rest } = record;
    const approve = (next: MortgageRecord, unit?: UnitEncumbrances) => this.move(ctx, caller, record, MortgageAction.Approve, next, unit);
    const at = txTimeIso(ctx);
    switch (review.action) {
      case MortgageAction.PreRegister:
        return approve({ ...rest, state: S.PreRegistered });
      case MortgageAction.Register: {
        // Registration order is approval order: the unit's list decides priority (view()).
        const unit = await readUnit(ctx, record.unitKey);
        const registered = { active: [...unit.active, id] };
        await writeUnit(ctx, record.unitKey, registered);
        return approve({ ...rest, state: S.Registered, registeredAt: at, registrationApprovedBy: caller.identityId }, registered);
      }
      case MortgageAction.Reject:
        return approve({ ...rest, state: S.Rejected, rejectionReason: review.rejectionReason });
      case MortgageAction.Change: {
        const { debtTermEnd, application } = review.change as Required<MortgageChangeInput>;
        return approve({ ...rest, state: S.Changed, debtTermEnd, application });
      }
      case MortgageAction.Transfer: {
        const { mortgagorIds, application } = review.transfer as MortgageTransferInput;
        return approve({ ...rest, state: S.Transferred, mortgagorIds, application });
      }
      case MortgageAction.Discharge: {
        // The records ranked behind this one move up.
        const unit = await readUnit(ctx, record.unitKey);
        await writeUnit(ctx, record.unitKey, { active: unit.active.filter((other) => other !== id) });
        return approve({ ...rest, state: S.Discharged, dischargeCaseNumber: review.caseNumber, dischargeReason: review.reason, dischargedAt: at });
      }
    }
  }

  /** Sends the prepared step back to the registrar's queue with a reason code; a reserved certificate number is freed. */
  @Transaction()
  @Returns('string')
  public async ReturnMortgageStep(ctx: Context, id: string, returnJson: string): Promise<string> {
    const { caller, record, review } = await this.toReview(ctx, id, MortgageAction.Return);
    const { reason } = readReviewReturn(returnJson);
    const { review: _returned, ...rest } = record;
    const lastReviewReturn = { action: review.action, by: caller.identityId, at: txTimeIso(ctx), reason };
    if (review.action === MortgageAction.Register) {
      const { certificateKey, certificate: _certificate, registeredBy: _registeredBy, ...unregistered } = rest;
      if (certificateKey) await releaseCertificate(ctx, certificateKey);
      return this.move(ctx, caller, record, MortgageAction.Return, { ...unregistered, state: review.from, lastReviewReturn });
    }
    return this.move(ctx, caller, record, MortgageAction.Return, { ...rest, state: review.from, lastReviewReturn });
  }

  // ---- consent to look --------------------------------------------------------------------------

  /**
   * The unit owner lets `bankId` see the unit's encumbrances before lending. The owner is a
   * mortgagor institution on a record of the unit, or — for an owner without an identity here or a
   * unit new to the ledger — the registrar records the consent the owner gave at the centre.
   * `applications` ([{ mortgageId, ciphertext }], optional): active registrations' applications
   * widened to the bank's current key (SDK addRecipients) — the consent is what gives the bank the
   * right to read their amounts, so they are sealed to it here and not before (models/sealing.ts);
   * one the caller could not open cannot be widened (the bank's copy would not decrypt).
   */
  @Transaction()
  @Returns('string')
  public async AuthorizeEncumbranceQuery(ctx: Context, unitKey: string, authorizationJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner, Role.Registrar]);
    checkString(unitKey, 'unitKey', { pattern: SHA256_HEX, maxLength: 64 });
    const { validUntil, reader } = readValidUntil(authorizationJson, today(ctx));
    reader.allowOnly(['bankId', 'validUntil', 'applications']);
    const bankId = reader.string('bankId', { pattern: INSTITUTION_ID });
    const bank = await activeInstitution(ctx, bankId, 'authorization.bankId', [InstitutionKind.Bank]);
    if (caller.role === Role.ClientSigner) {
      const owns = await this.unitRecords(ctx, unitKey).then((records) => records.some((r) => r.mortgagorIds.includes(caller.institution.id)));
      if (!owns) throw forbidden(`${caller.institution.id} is no mortgagor of this unit; the registry records an owner's consent`);
    }
    const disclosures = await this.readDisclosures(ctx, reader, unitKey, bank);
    const authorization = { unitKey, bankId, validUntil, grantedBy: caller.identityId, grantedFor: caller.institution.id, at: txTimeIso(ctx) };
    await writeQueryAuthorization(ctx, { ...authorization, ...(disclosures.length > 0 ? { disclosures } : {}) });
    const view: EncumbranceQueryAuthorizationView = { ...authorization, disclosed: disclosures.map((d) => d.mortgageId) };
    return canonicalJson(view);
  }

  /** `applications` of an authorization: each an active registration of the unit, once, widened to the bank only. */
  private async readDisclosures(ctx: Context, reader: FieldReader, unitKey: string, bank: Institution): Promise<EncumbranceDisclosure[]> {
    if (!reader.has('applications')) return [];
    const { active } = await readUnit(ctx, unitKey);
    const items = reader.array('applications', 1, Math.max(active.length, 1));
    const disclosures: EncumbranceDisclosure[] = [];
    for (const [i, item] of items.entries()) {
      const path = `authorization.applications[${i}]`;
      const entry = FieldReader.of(item, path).allowOnly(['mortgageId', 'ciphertext']);
      const mortgageId = entry.string('mortgageId', { pattern: REQUEST_ID });
      if (!active.includes(mortgageId)) throw invalid(`${path}.mortgageId`, `${mortgageId} is no active registration of this unit`);
      if (disclosures.some((d) => d.mortgageId === mortgageId)) throw invalid(`${path}.mortgageId`, `${mortgageId} is given twice`);
      const record = await getMortgageRecord(ctx, mortgageId);
      disclosures.push({ mortgageId, application: readWidened(entry.string('ciphertext', { maxLength: MAX_CIPHERTEXT_CHARS }), `${path}.ciphertext`, record.application, [bank]) });
    }
    return disclosures;
  }

  /**
   * The registry widens active registrations' applications to banks that hold a current consent of
   * the unit's owner: a registration approved, changed or transferred after the consent was given
   * is an encumbrance the consent covers, and the owner is not asked again (the gateway does this
   * after its registry's approvals; `econfirm mortgages disclose`). `disclosures`:
   * [{ bankId, mortgageId, ciphertext }], each the record's current application with that bank's
   * key appended and nothing else changed (models/sealing.ts readWidened); the bank's copy of that
   * registration is replaced. A registrar or reviewer of the record's registry only.
   */
  @Transaction()
  @Returns('string')
  public async DiscloseEncumbrances(ctx: Context, unitKey: string, disclosuresJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, REGISTRY_ROLES);
    checkString(unitKey, 'unitKey', { pattern: SHA256_HEX, maxLength: 64 });
    const { active } = await readUnit(ctx, unitKey);
    const reader = parseJsonArgument(disclosuresJson, 'disclosures').allowOnly(['disclosures']);
    const consents = new Map((await unitQueryAuthorizations(ctx, unitKey)).filter((a) => a.validUntil >= today(ctx)).map((a) => [a.bankId, a]));
    const items = reader.array('disclosures', 1, Math.max(active.length, 1) * Math.max(consents.size, 1));
    const disclosed: Array<{ bankId: string; mortgageId: string }> = [];
    const changed = new Map<string, EncumbranceQueryAuthorization>();
    for (const [i, item] of items.entries()) {
      const path = `disclosures[${i}]`;
      const entry = FieldReader.of(item, path).allowOnly(['bankId', 'mortgageId', 'ciphertext']);
      const bankId = entry.string('bankId', { pattern: INSTITUTION_ID });
      const mortgageId = entry.string('mortgageId', { pattern: REQUEST_ID });
      const consent = changed.get(bankId) ?? consents.get(bankId);
      if (!consent) throw invalid(`${path}.bankId`, `${bankId} holds no current consent of the unit's owner`);
      if (!active.includes(mortgageId)) throw invalid(`${path}.mortgageId`, `${mortgageId} is no active registration of this unit`);
      if (disclosed.some((d) => d.bankId === bankId && d.mortgageId === mortgageId)) throw invalid(path, `${mortgageId} is given twice for ${bankId}`);
      disclosed.push({ bankId, mortgageId });
      const record = await getMortgageRecord(ctx, mortgageId);
      if (record.registryId !== caller.institution.id) throw forbidden(`${mortgageId} is registered by ${record.registryId}, not ${caller.institution.id}`);
      const bank = await activeInstitution(ctx, bankId, `${path}.bankId`, [InstitutionKind.Bank]);
      const application = readWidened(entry.string('ciphertext', { maxLength: MAX_CIPHERTEXT_CHARS }), `${path}.ciphertext`, record.application, [bank]);
      const disclosures = [...(consent.disclosures ?? []).filter((d) => d.mortgageId !== mortgageId), { mortgageId, application }];
      changed.set(bankId, { ...consent, disclosures });
    }
    for (const consent of changed.values()) await writeQueryAuthorization(ctx, consent);
    return canonicalJson({ unitKey, disclosed });
  }

  /** The mortgagor client lets its audit firm see its registrations (for the auditor's cross-checks). */
  @Transaction()
  @Returns('string')
  public async GrantAuditorMortgageAccess(ctx: Context, accessJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner]);
    const { validUntil, reader } = readValidUntil(accessJson, today(ctx));
    reader.allowOnly(['firmId', 'validUntil']);
    const firmId = reader.string('firmId', { pattern: INSTITUTION_ID });
    await activeInstitution(ctx, firmId, 'access.firmId', [InstitutionKind.AuditFirm]);
    const access = { clientId: caller.institution.id, firmId, validUntil, grantedBy: caller.identityId, at: txTimeIso(ctx) };
    await writeAuditorAccess(ctx, access);
    return canonicalJson(access);
  }

  /** The client withdraws its firm's access (a no-op when none was granted). */
  @Transaction()
  @Returns('string')
  public async RevokeAuditorMortgageAccess(ctx: Context, firmId: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner]);
    checkString(firmId, 'firmId', { pattern: INSTITUTION_ID, maxLength: 64 });
    await deleteAuditorAccess(ctx, caller.institution.id, firmId);
    return canonicalJson({ clientId: caller.institution.id, firmId, revoked: true });
  }

  // ---- reads ------------------------------------------------------------------------------------

  @Transaction(false)
  @Returns('string')
  public async GetMortgage(ctx: Context, id: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, READER_ROLES);
    const record = await findMortgage(ctx, id);
    if (!record || !(await this.mayRead(ctx, caller, record))) throw hidden(id);
    return canonicalJson(await this.view(ctx, record));
  }

  /**
   * The record and the transactions that wrote each of its versions, oldest first, for whoever may
   * read it: what the registration certificate (不动产登记证明) is generated from and verified against.
   */
  @Transaction(false)
  @Returns('string')
  public async GetMortgageEvidence(ctx: Context, id: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, READER_ROLES);
    const record = await findMortgage(ctx, id);
    if (!record || !(await this.mayRead(ctx, caller, record))) throw hidden(id);
    const trail = (await mortgageHistory(ctx, id))
      .filter((entry) => entry.value !== null)
      .map((entry) => ({ txId: entry.txId, timestamp: entry.timestamp, state: (entry.value as MortgageRecord).state }))
      .reverse();
    const evidence: MortgageEvidence = { mortgage: await this.view(ctx, record), trail };
    return canonicalJson(evidence);
  }

  /**
   * The active encumbrances of a unit in priority order: for a bank the unit's owner authorized
   * (until the consent's last day), the registry's registrars and reviewers, the regulator. Amounts
   * stay sealed: the registry gets each record's application, a bank the copies the owner widened
   * to it that are still current (a change or transfer since re-seals the application), the
   * regulator none.
   */
  @Transaction(false)
  @Returns('string')
  public async GetEncumbrances(ctx: Context, unitKey: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [...BANK_ROLES, ...REGISTRY_ROLES, Role.Regulator]);
    checkString(unitKey, 'unitKey', { pattern: SHA256_HEX, maxLength: 64 });
    let disclosures: EncumbranceDisclosure[] = [];
    if (BANK_ROLES.includes(caller.role)) {
      const authorization = await readQueryAuthorization(ctx, unitKey, caller.institution.id);
      if (!authorization || authorization.validUntil < today(ctx)) {
        throw forbidden(`${caller.institution.id} holds no current authorization of the unit's owner to see its encumbrances`);
      }
      disclosures = authorization.disclosures ?? [];
    }
    const unit = await readUnit(ctx, unitKey);
    const encumbrances: Encumbrance[] = [];
    const hashes = new Map<string, string>();
    for (const [i, id] of unit.active.entries()) {
      const r = await getMortgageRecord(ctx, id);
      hashes.set(id, r.application.contentHash);
      const disclosed = disclosures.find((d) => d.mortgageId === r.id && d.application.contentHash === r.application.contentHash);
      const application = REGISTRY_ROLES.includes(caller.role) ? r.application : disclosed?.application;
      encumbrances.push({
        mortgageId: r.id, priority: i + 1, mortgageType: r.mortgageType, mortgageeId: r.mortgageeId,
        registeredAt: r.registeredAt ?? '', debtTermStart: r.debtTermStart, debtTermEnd: r.debtTermEnd, state: r.state,
        ...(application ? { application } : {}),
      });
    }
    if (!REGISTRY_ROLES.includes(caller.role)) return canonicalJson({ unitKey, encumbrances });
    // The registry also sees who holds a current consent and which current applications it may open.
    const consents: EncumbranceConsentView[] = (await unitQueryAuthorizations(ctx, unitKey))
      .filter((a) => a.validUntil >= today(ctx))
      .map((a) => ({
        bankId: a.bankId, validUntil: a.validUntil,
        disclosed: unit.active.filter((id) => (a.disclosures ?? []).some((d) => d.mortgageId === id && d.application.contentHash === hashes.get(id))),
      }));
    const view: UnitEncumbrancesView = { unitKey, encumbrances, consents };
    return canonicalJson(view);
  }

  /** Records the caller's institution is party to (bank, registry, mortgagor), optionally in one state. */
  @Transaction(false)
  @Returns('string')
  public async ListMortgages(ctx: Context, state: string, pageSize: string, bookmark: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [...BANK_ROLES, ...REGISTRY_ROLES, Role.ClientSigner]);
    return this.page(ctx, caller.institution.id, state, pageSize, bookmark);
  }

  /** A client's registrations, for the regulator or for an auditor of a firm the client granted access. */
  @Transaction(false)
  @Returns('string')
  public async ListMortgagesOfClient(ctx: Context, clientId: string, pageSize: string, bookmark: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.Auditor, Role.Regulator]);
    checkString(clientId, 'clientId', { pattern: INSTITUTION_ID, maxLength: 64 });
    if (caller.role === Role.Auditor && !(await this.auditorMayRead(ctx, caller, [clientId]))) {
      throw forbidden(`${clientId} has not granted ${caller.institution.id} access to its registrations`);
    }
    return this.page(ctx, clientId, '', pageSize, bookmark);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /**
   * The registrar's half of a registry decision: the record waits in the action's review state
   * with what the approval applies (`pending`); nothing of it takes effect yet.
   */
  private prepare(ctx: Context, caller: InstitutionCaller, record: MortgageRecord, action: ReviewedMortgageAction, pending: Omit<MortgageReview, 'action' | 'from' | 'preparedBy' | 'preparedAt'>): Promise<string> {
    const review: MortgageReview = { action, from: record.state, preparedBy: caller.identityId, preparedAt: txTimeIso(ctx), ...pending };
    return this.move(ctx, caller, record, action, { ...record, state: REVIEW_STATE[action], review });
  }

  /**
   * The record awaiting review, for a registry reviewer of its registry who is not the identity
   * that prepared it (a registrar re-enrolled as reviewer keeps its certificate identity).
   */
  private async toReview(ctx: Context, id: string, action: MortgageAction): Promise<{ caller: InstitutionCaller; record: MortgageRecord; review: MortgageReview }> {
    const caller = await requireInstitutionCaller(ctx, [Role.RegistryReviewer]);
    const record = await this.ownRecord(ctx, caller, id, (r) => r.registryId);
    requireFrom(record, action);
    const review = record.review as MortgageReview;
    if (review.preparedBy === caller.identityId) throw forbidden('the reviewer must be a different identity from the registrar who prepared it');
    return { caller, record, review };
  }

  private async page(ctx: Context, partyId: string, state: string, pageSize: string, bookmark: string): Promise<string> {
    if (state !== '' && !isOneOf(MORTGAGE_STATES, state)) throw invalid('state', `must be one of ${MORTGAGE_STATES.join(', ')}`);
    const prefix = state === '' ? [partyId] : [partyId, state];
    const page = await readIndexPage(ctx, MortgageIndex.ByPartyState, prefix, parsePageSize(pageSize), bookmark, async ([, , id]) => {
      const record = await findMortgage(ctx, id);
      return record ? this.view(ctx, record) : undefined;
    });
    return canonicalJson(page);
  }

  /** `unit`: the unit's list when this transaction wrote it (a peer's reads return the committed value, not our write). */
  private async move(ctx: Context, caller: InstitutionCaller, previous: MortgageRecord, action: MortgageAction, next: MortgageRecord, unit?: UnitEncumbrances): Promise<string> {
    const record: MortgageRecord = { ...next, steps: [...previous.steps, { action, state: next.state, by: caller.identityId, at: txTimeIso(ctx) }] };
    await saveMortgage(ctx, record, previous);
    emitEvent(ctx, EventName.MortgageChanged, { id: record.id, state: record.state, action });
    return canonicalJson(await this.view(ctx, record, unit));
  }

  private async view(ctx: Context, record: MortgageRecord, unit?: UnitEncumbrances): Promise<MortgageView> {
    if (!ENCUMBERING_STATES.includes(record.state)) return record;
    const rank = (unit ?? (await readUnit(ctx, record.unitKey))).active.indexOf(record.id);
    return rank < 0 ? record : { ...record, priority: rank + 1 };
  }

  /** The record, when the caller's institution holds the part `side` names; anyone else: not found. */
  private async ownRecord(ctx: Context, caller: InstitutionCaller, id: string, side: (r: MortgageRecord) => string): Promise<MortgageRecord> {
    const record = await findMortgage(ctx, id);
    if (!record) throw hidden(id);
    if (side(record) !== caller.institution.id) {
      if (await this.mayRead(ctx, caller, record)) throw forbidden(`${caller.institution.id} may not do this to mortgage ${id}`);
      throw hidden(id);
    }
    return record;
  }

  private async mayRead(ctx: Context, caller: InstitutionCaller, record: MortgageRecord): Promise<boolean> {
    if (caller.role === Role.Regulator) return true;
    if (caller.role === Role.Auditor) return this.auditorMayRead(ctx, caller, record.mortgagorIds);
    return mortgageParties(record).includes(caller.institution.id);
  }

  private async auditorMayRead(ctx: Context, caller: InstitutionCaller, clientIds: readonly string[]): Promise<boolean> {
    for (const clientId of clientIds) {
      const access = await readAuditorAccess(ctx, clientId, caller.institution.id);
      if (access && access.validUntil >= today(ctx)) return true;
    }
    return false;
  }

  private partiesOf(ctx: Context, record: MortgageRecord): Promise<Institution[]> {
    return institutionsOf(ctx, mortgageParties(record));
  }

  private async unitRecords(ctx: Context, unitKey: string): Promise<MortgageRecord[]> {
    const records: MortgageRecord[] = [];
    for (const [, id] of await listIndex(ctx, MortgageIndex.ByUnit, [unitKey])) {
      const record = await findMortgage(ctx, id);
      if (record) records.push(record);
    }
    return records;
  }
}
