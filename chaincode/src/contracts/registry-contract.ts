import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson, ErrorCode, INSTITUTION_KINDS, InstitutionKind, isOneOf, LedgerError, Role, sha256Hex } from '@econfirm/common';
import { requireAdmin, requireInstitutionCaller } from '../auth/caller';
import { emitEvent, EventName } from '../events';
import { changesHosting, newInstitution, withProfileUpdate, withRotatedKeys, withStatus } from '../models/institution';
import { checkRegistryConsent } from '../models/registry-consent';
import {
  findInstitution,
  deleteKeyRecovery,
  findKeyRecovery,
  getInstitution,
  institutionHistory,
  pageInstitutions,
  saveInstitution,
  saveKeyRecovery,
} from '../state/institution-store';
import { txTimeIso } from '../state/tx-time';
import { invalid, parseJsonArgument } from '../validation/field-reader';
import { parsePageSize } from '../validation/paging';

export const REGISTRY_CONTRACT = 'registry';

/**
 * The validated registry of institutions every confirmation is addressed to (chaincode/README.md, Registry contract): the
 * responder is taken from here, never from the client. Writes: the operator's admin. Reads: all.
 * Every transaction returns canonical JSON.
 */
@Info({ title: 'registry', description: 'Institution registry: banks and branches, audit firms, clients, enterprises, mortgage registries, regulators' })
export class RegistryContract extends Contract {
  constructor() {
    super(REGISTRY_CONTRACT);
  }

  @Transaction()
  @Returns('string')
  public async RegisterInstitution(ctx: Context, institutionJson: string): Promise<string> {
    requireAdmin(ctx);
    const institution = newInstitution(parseJsonArgument(institutionJson, 'institution'), txTimeIso(ctx));
    if (await findInstitution(ctx, institution.id)) {
      throw new LedgerError(ErrorCode.AlreadyExists, `institution ${institution.id} is already registered`);
    }
    if (institution.parentId !== undefined) {
      const parent = await findInstitution(ctx, institution.parentId);
      if (!parent || parent.kind !== InstitutionKind.Bank) throw invalid('parentId', `${institution.parentId} is not a registered bank`);
      if (parent.mspId !== institution.mspId) throw invalid('mspId', `a branch must have its bank's MSP ${parent.mspId}`);
    }
    await saveInstitution(ctx, institution);
    emitEvent(ctx, EventName.InstitutionRegistered, { id: institution.id });
    return canonicalJson(institution);
  }

  /**
   * Names and registration id: the operator alone. A change of hosting (`mspId`) hands the
   * institution to whoever holds the new MSP's CA, so it also needs the institution's consent
   * (models/registry-consent.ts) over exactly this update.
   */
  @Transaction()
  @Returns('string')
  public async UpdateInstitution(ctx: Context, updateJson: string, consent: string): Promise<string> {
    requireAdmin(ctx);
    const input = parseJsonArgument(updateJson, 'update');
    const existing = await getInstitution(ctx, input.string('id'));
    const updated = withProfileUpdate(existing, input, txTimeIso(ctx));
    if (changesHosting(existing, updated)) checkRegistryConsent(existing, 'UpdateInstitution', JSON.parse(updateJson), consent);
    await saveInstitution(ctx, updated, existing);
    emitEvent(ctx, EventName.InstitutionUpdated, { id: updated.id, change: 'profile' });
    return canonicalJson(updated);
  }

  @Transaction()
  @Returns('string')
  public async SetInstitutionStatus(ctx: Context, id: string, status: string, reason: string): Promise<string> {
    requireAdmin(ctx);
    const existing = await getInstitution(ctx, id);
    const updated = withStatus(existing, status, reason, txTimeIso(ctx));
    await saveInstitution(ctx, updated, existing);
    emitEvent(ctx, EventName.InstitutionUpdated, { id, change: 'status', status: updated.status });
    return canonicalJson(updated);
  }

  /**
   * New keys replace the current ones only with the institution's consent — a compact JWS by its
   * current signing key over exactly this rotation (models/registry-consent.ts) — or, when it has
   * lost that key (consent ''), with a regulator's approval of exactly this rotation
   * (ApproveKeyRecovery), used up here. Never by the operator's signature alone: else the operator
   * could swap in keys it holds and read every letter sealed to them.
   */
  @Transaction()
  @Returns('string')
  public async RotateInstitutionKeys(ctx: Context, id: string, keysJson: string, consent: string): Promise<string> {
    requireAdmin(ctx);
    const existing = await getInstitution(ctx, id);
    const updated = withRotatedKeys(existing, parseJsonArgument(keysJson, 'keys'), txTimeIso(ctx));
    const change: unknown = JSON.parse(keysJson);
    const recovery = consent ? undefined : await findKeyRecovery(ctx, id);
    if (recovery && recovery.basis === existing.updatedAt && recovery.changeHash === sha256Hex(canonicalJson(change))) {
      await deleteKeyRecovery(ctx, id);
    } else {
      checkRegistryConsent(existing, 'RotateInstitutionKeys', change, consent);
    }
    await saveInstitution(ctx, updated, existing);
    emitEvent(ctx, EventName.InstitutionUpdated, { id, change: 'keys' });
    return canonicalJson(updated);
  }

  /**
   * A regulator approves the rotation of an institution that lost its signing key (and so cannot
   * consent): the approval names this record version and exactly these keys, and the operator's
   * RotateInstitutionKeys with them uses it up. Two organizations — the operator submits, the
   * regulator (its own MSP, never an operator certificate: auth/caller.ts) approves.
   */
  @Transaction()
  @Returns('string')
  public async ApproveKeyRecovery(ctx: Context, id: string, keysJson: string): Promise<string> {
    const regulator = await requireInstitutionCaller(ctx, [Role.Regulator]);
    const existing = await getInstitution(ctx, id);
    withRotatedKeys(existing, parseJsonArgument(keysJson, 'keys'), txTimeIso(ctx));
    const approval = {
      docType: 'key-recovery' as const,
      institutionId: id,
      basis: existing.updatedAt,
      changeHash: sha256Hex(canonicalJson(JSON.parse(keysJson))),
      approvedBy: regulator.identityId,
      approvedAt: txTimeIso(ctx),
    };
    await saveKeyRecovery(ctx, approval);
    emitEvent(ctx, EventName.KeyRecoveryApproved, { id });
    return canonicalJson(approval);
  }

  @Transaction(false)
  @Returns('string')
  public async GetInstitution(ctx: Context, id: string): Promise<string> {
    return canonicalJson(await getInstitution(ctx, id));
  }

  /** kind '' lists every kind; bookmark '' starts at the beginning. Returns a Page<Institution>. */
  @Transaction(false)
  @Returns('string')
  public async ListInstitutions(ctx: Context, kind: string, pageSize: string, bookmark: string): Promise<string> {
    if (kind !== '' && !isOneOf(INSTITUTION_KINDS, kind)) throw invalid('kind', `must be '' or one of ${INSTITUTION_KINDS.join(', ')}`);
    return canonicalJson(await pageInstitutions(ctx, kind, parsePageSize(pageSize), bookmark));
  }

  @Transaction(false)
  @Returns('string')
  public async GetInstitutionHistory(ctx: Context, id: string): Promise<string> {
    await getInstitution(ctx, id);
    return canonicalJson(await institutionHistory(ctx, id));
  }
}
