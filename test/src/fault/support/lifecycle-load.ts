import { ConfirmationState } from '@econfirm/common';
import { agreeingReply, bankLetterRequest } from '../../support/gateway';
import { distinctiveAccountNumber } from '../../support/letters';
import type { Answer, FaultGateway } from './fault-gateway';

/** One step of a bank letter's lifecycle through the gateway: who sends what, and the state it leads to. */
interface Step {
  name: string;
  caller: string;
  url: (id: string) => string;
  body: (id: string, run: string) => object | undefined;
  state: ConfirmationState;
}

const STEPS: Step[] = [
  { name: 'issue', caller: 'firm1.auditor1', url: () => '/v1/confirmations', body: (id, run) => bankLetterRequest(id, `ENG-${run}`, distinctiveAccountNumber()), state: ConfirmationState.Issued },
  { name: 'authorize', caller: 'client1.client1', url: (id) => `/v1/confirmations/${id}/authorization`, body: () => ({ feeConsent: true }), state: ConfirmationState.Authorized },
  { name: 'accept', caller: 'bank1.officer1', url: (id) => `/v1/confirmations/${id}/acceptance`, body: () => undefined, state: ConfirmationState.Accepted },
  { name: 'reply', caller: 'bank1.officer1', url: (id) => `/v1/confirmations/${id}/reply`, body: () => ({ content: agreeingReply() }), state: ConfirmationState.ReplyPrepared },
  { name: 'approve', caller: 'bank1.reviewer1', url: (id) => `/v1/confirmations/${id}/reply/approval`, body: () => undefined, state: ConfirmationState.Replied },
  { name: 'auditor-accept', caller: 'firm1.auditor1', url: (id) => `/v1/confirmations/${id}/auditor-acceptance`, body: () => undefined, state: ConfirmationState.AuditorAccepted },
];

/** What became of one request, as its client saw it. */
export interface StepRecord {
  letterId: string;
  step: string;
  /** Who sent it (a demo credential: firm1.auditor1, bank1.officer1 …), so through which org's peer. */
  caller: string;
  /** The state the step leads to on the ledger. */
  state: ConfirmationState;
  /** Every Idempotency-Key it was sent with (a fresh one only after a refusal the ledger had not caught up to). */
  keys: string[];
  attempts: number;
  /** acknowledged: a 2xx; refused: a final 4xx; gave-up: no final answer before the deadline. */
  outcome: 'acknowledged' | 'refused' | 'gave-up';
  /** The last answer's status (0: transport failure) and error code. */
  status: number;
  code?: string;
  /** Whether the acknowledging answer was a replay of a stored outcome (Idempotent-Replayed). */
  replayed: boolean;
  startedAt: number;
  endedAt: number;
}

/** Answers a retry with the same key may change: the gateway or ledger was away, or still busy with the first attempt. */
function transient(answer: Answer): boolean {
  const code = (answer.body as { error?: { code?: string } } | null)?.error?.code;
  return answer.status === 0 || answer.status >= 500 || answer.status === 429 || code === 'IDEMPOTENCY_IN_PROGRESS';
}

/**
 * A first answer that only says "this peer has not seen the previous step yet" (another org's
 * peer lags a block behind the one that committed it): nothing was done, so the client sends it
 * again under a fresh key.
 */
function lagging(answer: Answer, attempts: number): boolean {
  const code = (answer.body as { error?: { code?: string } } | null)?.error?.code;
  return attempts === 1 && (code === 'NOT_FOUND' || code === 'INVALID_STATE_TRANSITION');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A steady load of confirmation lifecycles through the gateway, as careful clients send them:
 * `workers` letters at a time, each taken through issue → … → auditor acceptance; every request
 * carries an Idempotency-Key and is retried with the same key while the answer is transient
 * (transport failure, 5xx, 429, IDEMPOTENCY_IN_PROGRESS), for at most `retrySeconds`. A letter
 * whose step was refused or given up stops there; its worker starts a new one.
 */
export class LifecycleLoad {
  readonly records: StepRecord[] = [];
  private stopping = false;
  private readonly workers: Promise<void>[] = [];
  private letters = 0;

  constructor(
    private readonly gateway: FaultGateway,
    private readonly run: string,
    private readonly options: { workers: number; retrySeconds: number } = { workers: 3, retrySeconds: 120 },
  ) {}

  start(): this {
    for (let w = 0; w < this.options.workers; w++) this.workers.push(this.worker());
    return this;
  }

  /** Acknowledged steps so far (optionally: those that ended after `since`). */
  acknowledged(since = 0): StepRecord[] {
    return this.records.filter((r) => r.outcome === 'acknowledged' && r.endedAt >= since);
  }

  /** Waits until `count` steps were acknowledged after `since` (bounded); the time of the first of them. */
  async waitAcknowledged(count: number, since: number, seconds: number): Promise<number> {
    const deadline = Date.now() + seconds * 1000;
    while (this.acknowledged(since).length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.acknowledged(since).length} of ${count} steps acknowledged in ${seconds} s; last answers: ${JSON.stringify(this.records.slice(-5))}`);
      await sleep(200);
    }
    return Math.min(...this.acknowledged(since).map((r) => r.endedAt));
  }

  /** No new step starts; the ones in flight finish (their retries are bounded). */
  async stop(): Promise<StepRecord[]> {
    this.stopping = true;
    await Promise.all(this.workers);
    return this.records;
  }

  private async worker(): Promise<void> {
    while (!this.stopping) {
      const id = `CF-${this.run}-${++this.letters}`;
      for (const step of STEPS) {
        if (this.stopping) break;
        const record = await this.send(id, step);
        this.records.push(record);
        if (record.outcome !== 'acknowledged') break;
      }
    }
  }

  private async send(id: string, step: Step): Promise<StepRecord> {
    const startedAt = Date.now();
    const deadline = startedAt + this.options.retrySeconds * 1000;
    const body = step.body(id, this.run);
    let key = `${id}:${step.name}`;
    const keys = [key];
    let attempts = 0;
    let answer: Answer;
    for (;;) {
      attempts++;
      answer = await this.gateway.request(step.caller, 'POST', step.url(id), body, { 'Idempotency-Key': key });
      const finished = answer.status >= 200 && answer.status < 300;
      if (finished) break;
      if (lagging(answer, attempts) && Date.now() < startedAt + 15_000) {
        key = `${id}:${step.name}:${keys.length}`;
        keys.push(key);
        attempts = 0;
      } else if (!transient(answer) || Date.now() > deadline) {
        break;
      }
      await sleep(Math.min(2000, 250 * attempts));
    }
    const ok = answer.status >= 200 && answer.status < 300;
    return {
      letterId: id,
      step: step.name,
      caller: step.caller,
      state: step.state,
      keys,
      attempts,
      outcome: ok ? 'acknowledged' : transient(answer) ? 'gave-up' : 'refused',
      status: answer.status,
      ...(ok ? {} : { code: (answer.body as { error?: { code?: string } } | null)?.error?.code ?? 'NONE' }),
      replayed: answer.headers.get('idempotent-replayed') === 'true',
      startedAt,
      endedAt: Date.now(),
    };
  }
}
