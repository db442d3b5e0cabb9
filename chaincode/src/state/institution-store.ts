import { Context } from 'fabric-contract-api';
import { HistoryEntry, Institution, InstitutionKind, InstitutionStatus, Page } from '@econfirm/common';
import { invalid } from '../validation/field-reader';
import { deleteIndex, listIndex, putIndex, readHistory, readIndexPage, readJson, readRequired, writeJson } from './ledger';

const INSTITUTION = 'inst';
const BY_KIND = 'inst~kind~id';
const BY_MSP = 'inst~msp~id';
const KEY_RECOVERY = 'inst-recovery';

/** A regulator's approval of one key rotation for an institution that lost its key (registry-contract.ts ApproveKeyRecovery). */
export interface KeyRecoveryApproval {
  docType: 'key-recovery';
  institutionId: string;
  /** The record's updatedAt when approved: a later write voids the approval. */
  basis: string;
  /** sha256 hex of the canonical RotateInstitutionKeys argument approved. */
  changeHash: string;
  approvedBy: string;
  approvedAt: string;
}

function institutionKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey(INSTITUTION, [id]);
}

export function findInstitution(ctx: Context, id: string): Promise<Institution | undefined> {
  return readJson<Institution>(ctx, institutionKey(ctx, id));
}

export function getInstitution(ctx: Context, id: string): Promise<Institution> {
  return readRequired<Institution>(ctx, institutionKey(ctx, id), `institution ${id}`);
}

/** Writes the record and keeps the kind and MSP indexes in step with it. */
export async function saveInstitution(ctx: Context, institution: Institution, previous?: Institution): Promise<void> {
  await writeJson(ctx, institutionKey(ctx, institution.id), institution);
  if (!previous) await putIndex(ctx, BY_KIND, [institution.kind, institution.id]);
  if (previous?.mspId !== institution.mspId) {
    if (previous) await deleteIndex(ctx, BY_MSP, [previous.mspId, previous.id]);
    await putIndex(ctx, BY_MSP, [institution.mspId, institution.id]);
  }
}

export function pageInstitutions(ctx: Context, kind: string, pageSize: number, bookmark: string): Promise<Page<Institution>> {
  return readIndexPage(ctx, BY_KIND, kind === '' ? [] : [kind], pageSize, bookmark, ([, id]) => findInstitution(ctx, id));
}

export async function institutionIdsOfMsp(ctx: Context, mspId: string): Promise<string[]> {
  return (await listIndex(ctx, BY_MSP, [mspId])).map(([, id]) => id);
}

export function institutionHistory(ctx: Context, id: string): Promise<HistoryEntry<Institution>[]> {
  return readHistory<Institution>(ctx, institutionKey(ctx, id));
}

function recoveryKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey(KEY_RECOVERY, [id]);
}

export function findKeyRecovery(ctx: Context, id: string): Promise<KeyRecoveryApproval | undefined> {
  return readJson<KeyRecoveryApproval>(ctx, recoveryKey(ctx, id));
}

export function saveKeyRecovery(ctx: Context, approval: KeyRecoveryApproval): Promise<void> {
  return writeJson(ctx, recoveryKey(ctx, approval.institutionId), approval);
}

export function deleteKeyRecovery(ctx: Context, id: string): Promise<void> {
  return ctx.stub.deleteState(recoveryKey(ctx, id));
}

/** Ids of the registered institutions of one kind, in key order (e.g. the regulators content is sealed to). */
export async function institutionIdsOfKind(ctx: Context, kind: string): Promise<string[]> {
  return (await listIndex(ctx, BY_KIND, [kind])).map(([, id]) => id);
}

/** The institution `id` names, refused under `field` unless it is registered, active and of one of `kinds`. */
export async function activeInstitution(ctx: Context, id: string, field: string, kinds: readonly InstitutionKind[]): Promise<Institution> {
  const institution = await findInstitution(ctx, id);
  if (!institution || !kinds.includes(institution.kind)) throw invalid(field, `${id} is not a registered ${kinds.join(' or ')}`);
  if (institution.status !== InstitutionStatus.Active) throw invalid(field, `${id} is ${institution.status}`);
  return institution;
}

/** The registry records of `ids` that exist, in the order given (whom a record's content is sealed to). */
export async function institutionsOf(ctx: Context, ids: readonly string[]): Promise<Institution[]> {
  const institutions: Institution[] = [];
  for (const id of ids) {
    const institution = await findInstitution(ctx, id);
    if (institution) institutions.push(institution);
  }
  return institutions;
}

/** The active regulators: content the regulator must be able to open is sealed to each of them. */
export async function activeRegulators(ctx: Context): Promise<Institution[]> {
  const regulators = await institutionsOf(ctx, await institutionIdsOfKind(ctx, InstitutionKind.Regulator));
  return regulators.filter((r) => r.status === InstitutionStatus.Active);
}
