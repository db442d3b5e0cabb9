import { Context } from 'fabric-contract-api';
import { AuditorMortgageAccess, EncumbranceQueryAuthorization, HistoryEntry, MortgageRecord } from '@econfirm/common';
import { deleteIndex, drain, keyExists, putIndex, readHistory, readJson, readRequired, writeJson } from './ledger';
import { unmarshal } from './marshal';

const MORTGAGE = 'mtg';
/** Per unit: the ids of the registrations that encumber it, in registration order (= priority). */
const UNIT = 'mtg~unit';
/** Per registration certificate number: the mortgage it certifies (uniqueness). */
const CERTIFICATE = 'mtg~cert';
const QUERY_AUTHORIZATION = 'mtg~qauth';
const AUDITOR_ACCESS = 'mtg~aauth';

export const MortgageIndex = {
  /** Per party institution (bank, registry, mortgagor) and state: each party's queue and lists. */
  ByPartyState: 'mtg~party~state~id',
  /** Per unit, every record ever filed (the registry's and the regulator's view of a unit). */
  ByUnit: 'mtg~unitrec~id',
} as const;

/** The unit's encumbrance list. Read and written by every registration and discharge of the unit, so
 * two racing on one unit conflict at validation (MVCC) and priority is never decided twice. */
export interface UnitEncumbrances {
  active: string[];
}

function key(ctx: Context, type: string, attributes: string[]): string {
  return ctx.stub.createCompositeKey(type, attributes);
}

export function findMortgage(ctx: Context, id: string): Promise<MortgageRecord | undefined> {
  return readJson<MortgageRecord>(ctx, key(ctx, MORTGAGE, [id]));
}

export function getMortgageRecord(ctx: Context, id: string): Promise<MortgageRecord> {
  return readRequired<MortgageRecord>(ctx, key(ctx, MORTGAGE, [id]), `mortgage ${id}`);
}

export function mortgageExists(ctx: Context, id: string): Promise<boolean> {
  return keyExists(ctx, key(ctx, MORTGAGE, [id]));
}

/** Every committed version of the record, newest first (the peer's history database). */
export function mortgageHistory(ctx: Context, id: string): Promise<HistoryEntry<MortgageRecord>[]> {
  return readHistory<MortgageRecord>(ctx, key(ctx, MORTGAGE, [id]));
}

export function mortgageParties(record: MortgageRecord): string[] {
  return [...new Set([record.mortgageeId, record.registryId, ...record.mortgagorIds])];
}

/** Writes the record and moves its party/state index entries with it. */
export async function saveMortgage(ctx: Context, record: MortgageRecord, previous?: MortgageRecord): Promise<void> {
  await writeJson(ctx, key(ctx, MORTGAGE, [record.id]), record);
  if (previous) {
    for (const party of mortgageParties(previous)) await deleteIndex(ctx, MortgageIndex.ByPartyState, [party, previous.state, previous.id]);
  } else {
    await putIndex(ctx, MortgageIndex.ByUnit, [record.unitKey, record.id]);
  }
  for (const party of mortgageParties(record)) await putIndex(ctx, MortgageIndex.ByPartyState, [party, record.state, record.id]);
}

export async function readUnit(ctx: Context, unitKey: string): Promise<UnitEncumbrances> {
  return (await readJson<UnitEncumbrances>(ctx, key(ctx, UNIT, [unitKey]))) ?? { active: [] };
}

export function writeUnit(ctx: Context, unitKey: string, unit: UnitEncumbrances): Promise<void> {
  return writeJson(ctx, key(ctx, UNIT, [unitKey]), unit);
}

export function certificateHolder(ctx: Context, certificateKey: string): Promise<string | undefined> {
  return readJson<string>(ctx, key(ctx, CERTIFICATE, [certificateKey]));
}

export function claimCertificate(ctx: Context, certificateKey: string, mortgageId: string): Promise<void> {
  return writeJson(ctx, key(ctx, CERTIFICATE, [certificateKey]), mortgageId);
}

/** A registration the reviewer returned gives its number back: the registrar may prepare it again. */
export function releaseCertificate(ctx: Context, certificateKey: string): Promise<void> {
  return ctx.stub.deleteState(key(ctx, CERTIFICATE, [certificateKey]));
}

export function readQueryAuthorization(ctx: Context, unitKey: string, bankId: string): Promise<EncumbranceQueryAuthorization | undefined> {
  return readJson<EncumbranceQueryAuthorization>(ctx, key(ctx, QUERY_AUTHORIZATION, [unitKey, bankId]));
}

export function writeQueryAuthorization(ctx: Context, authorization: EncumbranceQueryAuthorization): Promise<void> {
  return writeJson(ctx, key(ctx, QUERY_AUTHORIZATION, [authorization.unitKey, authorization.bankId]), authorization);
}

/** Every consent recorded on the unit, in bank-id order (key order: deterministic on every endorser). */
export async function unitQueryAuthorizations(ctx: Context, unitKey: string): Promise<EncumbranceQueryAuthorization[]> {
  const iterator = await ctx.stub.getStateByPartialCompositeKey(QUERY_AUTHORIZATION, [unitKey]);
  return drain(iterator, (kv) => unmarshal<EncumbranceQueryAuthorization>(kv.value));
}

export function readAuditorAccess(ctx: Context, clientId: string, firmId: string): Promise<AuditorMortgageAccess | undefined> {
  return readJson<AuditorMortgageAccess>(ctx, key(ctx, AUDITOR_ACCESS, [clientId, firmId]));
}

export function deleteAuditorAccess(ctx: Context, clientId: string, firmId: string): Promise<void> {
  return ctx.stub.deleteState(key(ctx, AUDITOR_ACCESS, [clientId, firmId]));
}

export function writeAuditorAccess(ctx: Context, access: AuditorMortgageAccess): Promise<void> {
  return writeJson(ctx, key(ctx, AUDITOR_ACCESS, [access.clientId, access.firmId]), access);
}
