import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  canonicalJson,
  ErrorCode,
  INSTITUTION_ID,
  InstitutionKind,
  LedgerError,
  paymentBatchRequestHash,
  paymentBatchTotalHash,
  PaymentBatchInput,
  PaymentBatchRecord,
  paymentLineHash,
  Role,
} from '@econfirm/common';
import { InstitutionCaller, requireInstitutionCaller } from '../auth/caller';
import { emitEvent, EventName } from '../events';
import { readSealed, readSealedShape } from '../models/sealing';
import { readBatch, readBatchOpenings } from '../models/payment-batch-input';
import { activeInstitution, activeRegulators } from '../state/institution-store';
import { readIndexPage } from '../state/ledger';
import { findPaymentBatch, PaymentBatchIndex, paymentBatchParties, savePaymentBatch } from '../state/payment-batch-store';
import { txTimeIso } from '../state/tx-time';
import { checkString, invalid } from '../validation/field-reader';
import { parsePageSize } from '../validation/paging';
import { readTransientJson } from '../validation/transient';

export const PAYMENT_BATCH_CONTRACT = 'payment-batch';

const READER_ROLES = [Role.ClientSigner, Role.BankOfficer, Role.BankReviewer, Role.Regulator];

function hidden(id: string): LedgerError {
  return new LedgerError(ErrorCode.NotFound, `payment batch ${id} does not exist`);
}

/**
 * Batch payments (批量代付): the payer's bank settles many payees in one transaction. The lines
 * (payee reference, amount, salt) arrive in the transient map; the ledger keeps one salted hash
 * per line, the count, and the salted hash of the total, which the chaincode checks is the sum of
 * the lines. The regulator opens the total from `summary`; each payee's amount stays with the
 * payer, the bank and the payee. A batch id settles once: the same request again is answered
 * with the settled record and changes nothing.
 */
@Info({ title: 'PaymentBatchContract', description: 'batch payments: many payees in one settlement' })
export class PaymentBatchContract extends Contract {
  constructor() {
    super(PAYMENT_BATCH_CONTRACT);
  }

  @Transaction()
  @Returns('string')
  public async SettlePaymentBatch(ctx: Context, batchJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.BankOfficer]);
    const fields = readBatch(batchJson);
    const openings = readBatchOpenings(readTransientJson(ctx, 'lines'), fields.count);
    const total = openings.lines.reduce((sum, line) => sum + line.value, 0n);
    if (paymentBatchTotalHash(total.toString(), fields.count, fields.currency, openings.totalSalt) !== fields.totalHash) {
      throw invalid('batch.totalHash', "is not the hash of the lines' total and count");
    }
    const lineHashes = openings.lines.map(paymentLineHash);
    // The shape first (for the request's fingerprint); the recipients once we know it is new.
    const input: PaymentBatchInput = { ...fields, summary: readSealedShape(fields.summary), lines: readSealedShape(fields.lines) };
    const requestHash = paymentBatchRequestHash(input, caller.institution.id, lineHashes);
    const existing = await findPaymentBatch(ctx, fields.id);
    if (existing) {
      // Idempotent per batch id: the same settlement again gets the settled record; anything else is refused.
      if (existing.requestHash === requestHash) return canonicalJson(existing);
      throw new LedgerError(ErrorCode.AlreadyExists, `payment batch ${fields.id} was settled with other content`);
    }
    const payer = await activeInstitution(ctx, fields.payerId, 'batch.payerId', [InstitutionKind.Enterprise, InstitutionKind.Client]);
    const record: PaymentBatchRecord = {
      ...input,
      summary: readSealed(fields.summary, [payer, caller.institution, ...(await activeRegulators(ctx))]),
      lines: readSealed(fields.lines, [payer, caller.institution]),
      bankId: caller.institution.id,
      lineHashes,
      requestHash,
      settledBy: caller.identityId,
      settledAt: txTimeIso(ctx),
    };
    await savePaymentBatch(ctx, record);
    emitEvent(ctx, EventName.PaymentBatchSettled, { id: record.id });
    return canonicalJson(record);
  }

  @Transaction(false)
  @Returns('string')
  public async GetPaymentBatch(ctx: Context, id: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, READER_ROLES);
    checkString(id, 'id', { maxLength: 128 });
    const record = await findPaymentBatch(ctx, id);
    if (!record || !this.mayRead(caller, record)) throw hidden(id);
    return canonicalJson(record);
  }

  /** The batches of the caller's institution (payer or bank); the regulator names the party. */
  @Transaction(false)
  @Returns('string')
  public async ListPaymentBatches(ctx: Context, partyId: string, pageSize: string, bookmark: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, READER_ROLES);
    const party = caller.role === Role.Regulator ? checkString(partyId, 'partyId', { pattern: INSTITUTION_ID, maxLength: 64 }) : caller.institution.id;
    if (caller.role !== Role.Regulator && partyId !== '' && partyId !== party) throw invalid('partyId', 'only the regulator names another party');
    const page = await readIndexPage(ctx, PaymentBatchIndex.ByParty, [party], parsePageSize(pageSize), bookmark, ([, id]) => findPaymentBatch(ctx, id));
    return canonicalJson(page);
  }

  private mayRead(caller: InstitutionCaller, record: PaymentBatchRecord): boolean {
    return caller.role === Role.Regulator || paymentBatchParties(record).includes(caller.institution.id);
  }
}
