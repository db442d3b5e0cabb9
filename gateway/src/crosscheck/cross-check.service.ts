import { Injectable } from '@nestjs/common';
import {
  canonicalJson,
  crossCheckNotReady,
  crossCheckReport,
  crossCheckStatistics,
  engagementCrossCheck,
  InstitutionKind,
  isBankLetter,
  mortgageFact,
  receivableFact,
  sha256Hex,
  type CrossCheckLedgerReading,
  type CrossCheckLedgerRecord,
  type CrossCheckReport,
  type CrossCheckStatistics,
  type CrossCheckSummary,
  type EngagementCrossCheck,
  type LetterContent,
  type Page,
  type ReplyContent,
  type WorkCalendar,
  type TransactionName,
} from '@econfirm/common';
import { chainInfo, readBlockOfTransaction, recipientOf, seal } from '@econfirm/sdk';
import type { Principal } from '../auth/principal';
import { ConfirmationContentService } from '../confirmations/confirmation-content.service';
import { ConfirmationsService } from '../confirmations/confirmations.service';
import { GatewayError } from '../errors/gateway-error';
import { ledgerCall, parseResult, type LedgerCall } from '../fabric/ledger-call';
import { RegistryReader } from '../institutions/registry-reader.service';
import { MortgagesService, type PresentedMortgage } from '../mortgages/mortgages.service';
import { ReceivablesService } from '../receivables/receivables.service';
import { Executed } from '../transactions/executed';
import { TransactionExecutor } from '../transactions/transaction-executor.service';

function crossCheckCall(transaction: TransactionName<'crosscheck'>, ...args: string[]): LedgerCall {
  return ledgerCall('crosscheck', transaction, ...args);
}

/**
 * Cross-checks (issue 14) in the firm's tenant, where the reply's plaintext is: the accepted reply
 * opened with the firm's key, the client's registrations read under the client's grant
 * (ListMortgagesOfClient refuses without one; a bank letter's check needs them, a receivable or
 * payable confirmation's does not read them) and its receivables under its receivable grant
 * (without that one the report says RECEIVABLE_ACCESS_NOT_GRANTED and compares no receivable), the
 * pure matchers of common/src/crosscheck deciding. Everything goes through the confirmation,
 * mortgage and receivable services, never raw transactions, so the lifecycles can change underneath.
 */
@Injectable()
export class CrossCheckService {
  constructor(
    private readonly confirmations: ConfirmationsService,
    private readonly mortgages: MortgagesService,
    private readonly receivables: ReceivablesService,
    private readonly executor: TransactionExecutor,
    private readonly registry: RegistryReader,
    private readonly content: ConfirmationContentService,
  ) {}

  /** `withMortgages`: false for a receivable/payable confirmation, checked against receivables only (no mortgage grant asked for). */
  private async readLedger(principal: Principal, clientId: string, withMortgages = true): Promise<CrossCheckLedgerReading> {
    // The height first: every record read after it is at least that fresh.
    const { network, reader } = this.executor.tenantNetwork(principal);
    const ledgerHeight = (await chainInfo(network)).height.toString();
    const records = withMortgages ? await this.readMortgages(principal, clientId) : undefined;
    const receivables = await this.readReceivables(principal, clientId);
    const calendar = parseResult<WorkCalendar>(await this.executor.readAsTenant(principal, { contract: 'confirmation', transaction: 'GetWorkCalendar', args: [] }));
    return {
      ...(records ? { mortgages: records.map((r) => mortgageFact(r, r.application.readable === 'decrypted' ? r.application.content : undefined)) } : {}),
      ...(receivables ? { receivables } : {}),
      ledgerHeight,
      readAs: `${reader.institutionId}/${reader.identityName}`,
      utcOffsetMinutes: calendar.utcOffsetMinutes ?? 0,
    };
  }

  /** The client's registrations under its mortgage grant; without one, MORTGAGE_ACCESS_NOT_GRANTED. */
  private async readMortgages(principal: Principal, clientId: string): Promise<PresentedMortgage[]> {
    try {
      return await this.mortgages.readClientRecords(principal, clientId);
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'FORBIDDEN') {
        throw new GatewayError('MORTGAGE_ACCESS_NOT_GRANTED', `${clientId} has not granted ${principal.institutionId} current access to its mortgage registrations: the client grants it with POST /v1/mortgages/auditor-access`, {
          clientId,
          firmId: principal.institutionId,
        });
      }
      throw err;
    }
  }

  /** The client's receivables under its receivable grant; undefined when it gave none (the report says so). */
  private async readReceivables(principal: Principal, clientId: string): Promise<CrossCheckLedgerReading['receivables']> {
    try {
      return (await this.receivables.readClientRecords(principal, clientId)).map((r) => receivableFact(r.record, r.amountMinor !== undefined ? { amount: r.amountMinor } : undefined));
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'FORBIDDEN') return undefined;
      throw err;
    }
  }

  /** GET /v1/confirmations/{id}/cross-check. */
  async confirmation(principal: Principal, id: string): Promise<CrossCheckReport> {
    const view = await this.confirmations.read(principal, id);
    // GetConfirmation lets every party read; the cross-check is the firm's alone.
    if (view.firmId !== principal.institutionId) throw GatewayError.notFound(`NOT_FOUND: confirmation ${id} does not exist`);
    const reason = crossCheckNotReady(view);
    if (reason) throw new GatewayError('CROSS_CHECK_NOT_READY', reason, { state: view.state });
    const report = await this.check(principal, view, await this.readLedger(principal, view.clientId, isBankLetter(view.kind)));
    const recorded = await this.lastRecorded(principal, id);
    return recorded ? { ...report, recorded } : report;
  }

  /** The latest summary recorded for the request (its transaction), if any. */
  private async lastRecorded(principal: Principal, id: string): Promise<CrossCheckReport['recorded']> {
    try {
      const record = parseResult<CrossCheckLedgerRecord>(await this.executor.readAsTenant(principal, crossCheckCall('GetCrossCheck', id)));
      return { txId: record.txId, recordedAt: record.recordedAt };
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }

  /**
   * POST /v1/confirmations/{id}/cross-check: the check, then its summary — counts by code, no
   * amounts, no names — sealed to the firm and every active regulator and recorded on the ledger
   * (crosscheck:RecordCrossCheck), so the regulator's statistics come from the ledger. An offline
   * credential gets the proposal to sign (202), as for every write.
   */
  async record(principal: Principal, id: string): Promise<Executed> {
    const { recorded: _previous, ...report } = await this.confirmation(principal, id);
    const summary: CrossCheckSummary = {
      confirmationId: report.confirmationId,
      firmId: principal.institutionId,
      responderId: report.responderId,
      checkedAt: report.checkedAt,
      counts: report.counts,
      reportHash: sha256Hex(canonicalJson(report)),
    };
    const firm = await this.registry.get(principal, principal.institutionId);
    const regulators = await this.registry.activeOfKind(principal, InstitutionKind.Regulator);
    const sealed = await seal(summary, [firm, ...regulators].map(recipientOf));
    const executed = await this.executor.submit(principal, crossCheckCall('RecordCrossCheck', JSON.stringify({ confirmationId: id, summary: sealed })), { successStatus: 201 });
    if (executed.status !== 201) return executed;
    const record = executed.body as CrossCheckLedgerRecord;
    const block = await readBlockOfTransaction(this.executor.tenantNetwork(principal).network, record.txId);
    return new Executed(201, { ...report, recorded: { txId: record.txId, recordedAt: record.recordedAt, blockNumber: block.number.toString() } });
  }

  /**
   * GET /v1/statistics/cross-checks, for the regulator: every recorded summary opened with the
   * regulator's key and counted by responder and code — banks (and branches) by bank, a customer's
   * or supplier's reply by counterparty, as the registry tells. Counts only: the summaries carry no amounts.
   */
  async statistics(principal: Principal): Promise<CrossCheckStatistics & { asOf: string }> {
    const summaries: CrossCheckSummary[] = [];
    let unreadable = 0;
    let bookmark = '';
    do {
      const page = parseResult<Page<CrossCheckLedgerRecord>>(await this.executor.readAsTenant(principal, crossCheckCall('ListCrossChecks', '200', bookmark)));
      for (const record of page.records) {
        const opened = await this.content.openFor<CrossCheckSummary>(principal, record.summary);
        // The routing on the ledger decides whose reply it was, not what the sealed summary says.
        if (opened.readable === 'decrypted' && opened.content) summaries.push({ ...opened.content, responderId: record.responderId, confirmationId: record.confirmationId });
        else unreadable += 1;
      }
      bookmark = page.records.length === 0 && page.fetchedRecordsCount === 0 ? '' : page.bookmark;
    } while (bookmark !== '');
    const banks = new Set<string>();
    for (const id of new Set(summaries.map((s) => s.responderId))) {
      const kind = (await this.registry.get(principal, id)).kind;
      if (kind === InstitutionKind.Bank || kind === InstitutionKind.BankBranch) banks.add(id);
    }
    return { asOf: new Date().toISOString(), ...crossCheckStatistics(summaries, unreadable, (id) => banks.has(id)) };
  }

  private async check(principal: Principal, view: Awaited<ReturnType<ConfirmationsService['read']>>, reading: CrossCheckLedgerReading): Promise<CrossCheckReport> {
    const letter = view.letter.readable === 'decrypted' ? (view.letter.content as LetterContent) : undefined;
    const reply = view.reply?.readable === 'decrypted' ? (view.reply.content as ReplyContent) : undefined;
    if (!letter || !reply || !view.reply) {
      throw new GatewayError('CONTENT_NOT_READABLE', `the letter and reply of ${view.id} must open with ${principal.institutionId}'s key to be cross-checked`);
    }
    const history = await this.confirmations.readHistory(principal, view.id);
    return crossCheckReport(view, { letter, reply, replyContentHash: view.reply.contentHash, history }, reading, new Date().toISOString());
  }

  /**
   * GET /v1/engagements/{id}/cross-check: every accepted reply of the engagement (bank letters,
   * receivable and payable confirmations), and the banks none came from. The client's
   * registrations are read (and their grant needed) only when the engagement has a bank letter.
   */
  async engagement(principal: Principal, engagementId: string): Promise<EngagementCrossCheck> {
    const views = await this.confirmations.readEngagement(principal, engagementId);
    const own = views.filter((v) => v.firmId === principal.institutionId);
    const first = own[0];
    if (!first) throw GatewayError.notFound(`NOT_FOUND: engagement ${engagementId} has no request of ${principal.institutionId}`);
    const reading = await this.readLedger(principal, first.clientId, own.some((v) => isBankLetter(v.kind)));
    return engagementCrossCheck(own, reading, async (request) => this.check(principal, await this.confirmations.read(principal, request.id), reading), new Date().toISOString());
  }
}
