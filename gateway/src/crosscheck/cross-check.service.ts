import { Injectable } from '@nestjs/common';
import {
  ConfirmationState,
  countByCode,
  crossCheckMortgages,
  isBankLetter,
  unconfirmedMortgagees,
  type ConfirmationView,
  type CrossCheckException,
  type CrossCheckReport,
  type LetterContent,
  type MortgageFact,
  type ReplyContent,
  type WorkCalendar,
} from '@econfirm/common';
import { chainInfo } from '@econfirm/sdk';
import type { Principal } from '../auth/principal';
import { ConfirmationsService } from '../confirmations/confirmations.service';
import { GatewayError } from '../errors/gateway-error';
import { parseResult } from '../fabric/ledger-call';
import { MortgagesService, type PresentedMortgage } from '../mortgages/mortgages.service';
import { TransactionExecutor } from '../transactions/transaction-executor.service';

/** One letter of an engagement in the engagement report: checked, or why not. */
export interface EngagementLetterCheck {
  confirmationId: string;
  responderId: string;
  state: string;
  checked: boolean;
  reason?: string;
  counts?: CrossCheckReport['counts'];
}

export interface EngagementCrossCheck {
  engagementId: string;
  clientId: string;
  asOfDate: string;
  checkedAt: string;
  letters: EngagementLetterCheck[];
  /** Every letter's exceptions (with its confirmationId) and the engagement's own (MORTGAGEE_NOT_CONFIRMED). */
  exceptions: Array<CrossCheckException & { confirmationId?: string }>;
  counts: CrossCheckReport['counts'];
  basis: { ledgerHeight: string; readAs: string };
}

/** What the firm's tenant read once for a check: the client's registrations, the ledger height, the calendar offset. */
interface LedgerReading {
  mortgages: MortgageFact[];
  ledgerHeight: string;
  readAs: string;
  utcOffsetMinutes: number;
}

function fact(record: PresentedMortgage): MortgageFact {
  const opened = record.application.readable === 'decrypted' ? record.application.content : undefined;
  const value = opened?.securedPrincipal ?? opened?.maximumAmount;
  return {
    record,
    ...(opened && value !== undefined ? { amount: { currency: opened.currency, value } } : {}),
  };
}

/**
 * Cross-checks (issue 14) in the firm's tenant, where the reply's plaintext is: the accepted reply
 * opened with the firm's key, the client's registrations read under the client's grant
 * (ListMortgagesOfClient refuses without one), the pure matcher of common/src/crosscheck deciding.
 * Everything goes through the confirmation and mortgage services, never raw transactions, so the
 * lifecycle can change underneath. Receivables (issue 13) add one more reading and matcher here.
 */
@Injectable()
export class CrossCheckService {
  constructor(
    private readonly confirmations: ConfirmationsService,
    private readonly mortgages: MortgagesService,
    private readonly executor: TransactionExecutor,
  ) {}

  private async readLedger(principal: Principal, clientId: string): Promise<LedgerReading> {
    // The height first: every record read after it is at least that fresh.
    const { network, reader } = this.executor.tenantNetwork(principal);
    const ledgerHeight = (await chainInfo(network)).height.toString();
    let records: PresentedMortgage[];
    try {
      records = await this.mortgages.readClientRecords(principal, clientId);
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'FORBIDDEN') {
        throw new GatewayError('MORTGAGE_ACCESS_NOT_GRANTED', `${clientId} has not granted ${principal.institutionId} current access to its mortgage registrations: the client grants it with POST /v1/mortgages/auditor-access`, {
          clientId,
          firmId: principal.institutionId,
        });
      }
      throw err;
    }
    const calendar = parseResult<WorkCalendar>(await this.executor.readAsTenant(principal, { contract: 'confirmation', transaction: 'GetWorkCalendar', args: [] }));
    return { mortgages: records.map(fact), ledgerHeight, readAs: `${reader.institutionId}/${reader.identityName}`, utcOffsetMinutes: calendar.utcOffsetMinutes ?? 0 };
  }

  /** Why a request cannot be cross-checked yet; undefined when it can. */
  private notReady(view: Pick<ConfirmationView, 'kind' | 'state'>): string | undefined {
    if (!isBankLetter(view.kind)) return `a ${view.kind} confirmation has no bank reply to cross-check`;
    if (view.state !== ConfirmationState.AuditorAccepted) return `the reply is cross-checked once the auditor has accepted it; the request is ${view.state}`;
    return undefined;
  }

  /** GET /v1/confirmations/{id}/cross-check. */
  async confirmation(principal: Principal, id: string): Promise<CrossCheckReport> {
    const view = await this.confirmations.read(principal, id);
    // GetConfirmation lets every party read; the cross-check is the firm's alone.
    if (view.firmId !== principal.institutionId) throw GatewayError.notFound(`NOT_FOUND: confirmation ${id} does not exist`);
    const reason = this.notReady(view);
    if (reason) throw new GatewayError('CROSS_CHECK_NOT_READY', reason, { state: view.state });
    return this.check(principal, view, await this.readLedger(principal, view.clientId));
  }

  private async check(principal: Principal, view: Awaited<ReturnType<ConfirmationsService['read']>>, reading: LedgerReading): Promise<CrossCheckReport> {
    const letter = view.letter.readable === 'decrypted' ? (view.letter.content as LetterContent) : undefined;
    const reply = view.reply?.readable === 'decrypted' ? (view.reply.content as ReplyContent) : undefined;
    if (!letter || !reply || !view.reply) {
      throw new GatewayError('CONTENT_NOT_READABLE', `the letter and reply of ${view.id} must open with ${principal.institutionId}'s key to be cross-checked`);
    }
    const history = await this.confirmations.readHistory(principal, view.id);
    const replyTxIds = history
      .filter((h) => h.value?.state === ConfirmationState.Replied || h.value?.state === ConfirmationState.AuditorAccepted)
      .map((h) => h.txId)
      .reverse();
    const result = crossCheckMortgages({
      letter,
      reply,
      replyingBankIds: [...new Set([view.responderId, view.addresseeId])],
      asOfDate: view.asOfDate,
      utcOffsetMinutes: reading.utcOffsetMinutes,
      mortgages: reading.mortgages,
    });
    return {
      confirmationId: view.id,
      engagementId: view.engagementId,
      clientId: view.clientId,
      responderId: view.responderId,
      asOfDate: view.asOfDate,
      checkedAt: new Date().toISOString(),
      ...result,
      basis: { ledgerHeight: reading.ledgerHeight, replyTxIds, replyContentHash: view.reply.contentHash, readAs: reading.readAs },
    };
  }

  /** GET /v1/engagements/{id}/cross-check: every accepted bank reply of the engagement, and the banks none came from. */
  async engagement(principal: Principal, engagementId: string): Promise<EngagementCrossCheck> {
    const views = await this.confirmations.readEngagement(principal, engagementId);
    const own = views.filter((v) => v.firmId === principal.institutionId);
    if (own.length === 0) throw GatewayError.notFound(`NOT_FOUND: engagement ${engagementId} has no request of ${principal.institutionId}`);
    const { clientId, asOfDate } = own[0];
    const reading = await this.readLedger(principal, clientId);
    const letters: EngagementLetterCheck[] = [];
    const exceptions: EngagementCrossCheck['exceptions'] = [];
    const confirmedBanks = new Set<string>();
    for (const view of own) {
      const base = { confirmationId: view.id, responderId: view.responderId, state: view.state };
      if (!isBankLetter(view.kind)) continue;
      const reason = this.notReady(view);
      if (reason) {
        letters.push({ ...base, checked: false, reason });
        continue;
      }
      const report = await this.check(principal, await this.confirmations.read(principal, view.id), reading);
      confirmedBanks.add(view.responderId);
      letters.push({ ...base, checked: true, counts: report.counts });
      exceptions.push(...report.exceptions.map((e) => ({ ...e, confirmationId: view.id })));
    }
    exceptions.push(...unconfirmedMortgagees(reading.mortgages, [...confirmedBanks], asOfDate, reading.utcOffsetMinutes));
    return {
      engagementId,
      clientId,
      asOfDate,
      checkedAt: new Date().toISOString(),
      letters,
      exceptions,
      counts: countByCode(exceptions),
      basis: { ledgerHeight: reading.ledgerHeight, readAs: reading.readAs },
    };
  }
}
