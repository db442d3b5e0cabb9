import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ConfirmationView, IssueBatchInput, LetterInput, TransactionName } from '@econfirm/common';
import { seal, type Recipient } from '@econfirm/sdk';
import { CredentialsStore } from '../auth/credentials.store';
import type { Principal } from '../auth/principal';
import { ConfirmationsService } from '../confirmations/confirmations.service';
import { GatewayError } from '../errors/gateway-error';
import { toGatewayError } from '../errors/gateway-exception.filter';
import { ledgerCall, parseResult, type LedgerCall } from '../fabric/ledger-call';
import { LedgerService } from '../fabric/ledger.service';
import { BulkJobsStore, type BulkJob } from './bulk-jobs.store';

/** Attempts of one chunk while the ledger is unavailable (each after a doubling pause). */
const MAX_ATTEMPTS = 6;
const FIRST_PAUSE_MS = 1000;


function confirmationCall(transaction: TransactionName<'confirmation'>, ...args: string[]): LedgerCall {
  return ledgerCall('confirmation', transaction, ...args);
}

/** Failures another attempt of the same transaction may get past. */
function isTransient(error: GatewayError): boolean {
  return (error.httpStatus >= 500 && error.code !== 'INTERNAL' && error.code !== 'BULK_STATE_LOST') || error.code === 'MVCC_CONFLICT';
}

/**
 * Applies queued bulk jobs, one at a time, chunk by chunk through IssueBatch. Each chunk is sealed
 * once and its payload (ids derived from job and line, ciphertexts, salted hashes) persisted
 * before the first send, so a re-send after a crash is byte-identical: ALREADY_EXISTS with the
 * same content hashes means the chunk is already on the ledger. Unfinished jobs resume at start-up;
 * a graceful shutdown lets the chunk in flight finish.
 */
@Injectable()
export class BulkRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('BulkRunner');
  private running: Promise<void> | undefined;
  private again = false;
  private stopping = false;
  private wakeSleeper: (() => void) | undefined;

  constructor(
    private readonly store: BulkJobsStore,
    private readonly ledger: LedgerService,
    private readonly credentials: CredentialsStore,
    private readonly confirmations: ConfirmationsService,
  ) {}

  onApplicationBootstrap(): void {
    const unfinished = this.store.unfinished();
    if (unfinished.length > 0) this.logger.log({ msg: 'resuming bulk jobs', jobs: unfinished.map((j) => j.id) });
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wakeSleeper?.();
    await this.running;
  }

  /** Starts the loop if idle (or makes it look again once it is done). */
  wake(): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop()
      .catch((err: unknown) => this.logger.error({ msg: 'bulk runner stopped', error: (err as Error).message }))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Resolves once no job is left to work on (or on shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.again = false;
      const job = this.store.unfinished()[0];
      if (!job) return;
      await this.run(job);
    }
  }

  private principalFor(job: BulkJob): Principal | undefined {
    const credential = this.credentials.find(job.credentialId);
    return credential && !credential.revokedAt ? this.credentials.principalOf(credential) : undefined;
  }

  private async run(job: BulkJob): Promise<void> {
    const principal = this.principalFor(job);
    if (!principal) {
      this.store.setStatus(job.id, 'failed', { code: 'CREDENTIAL_REVOKED', message: `credential ${job.credentialId} is revoked or gone: the job cannot go on as it` });
      return;
    }
    this.store.setStatus(job.id, 'running');
    let recipients: Promise<Recipient[]> | undefined;
    for (const chunk of this.store.chunks(job.id)) {
      if (this.stopping) return;
      if (chunk.status === 'applied') continue;
      let payload = chunk.payload;
      try {
        if (chunk.status === 'pending' || !payload) {
          recipients ??= this.confirmations.letterRecipients(principal, job.engagement.clientId);
          payload = await this.sealChunk(job, chunk.chunk, await recipients);
          this.store.sealed(job.id, chunk.chunk, payload);
        }
      } catch (err) {
        const error = toGatewayError(err);
        if (this.stopping) return;
        if (isTransient(error)) {
          // Registry unreachable while sealing: nothing was sent; leave the job queued and try later.
          this.store.attempted(job.id, chunk.chunk, `${error.code}: ${error.message}`);
          await this.pause(FIRST_PAUSE_MS * 8);
          return;
        }
        this.fail(job, chunk.chunk, error);
        return;
      }
      if (!(await this.apply(principal, job, chunk.chunk, payload))) return;
    }
    if (!this.stopping) {
      this.store.setStatus(job.id, 'completed');
      this.logger.log({ msg: 'bulk job completed', job: job.id, letters: job.letterCount });
    }
  }

  /** Seals every letter of the chunk for the firm and the client (as single issuance does; the responder is added at authorization). */
  private async sealChunk(job: BulkJob, chunk: number, recipients: Recipient[]): Promise<IssueBatchInput> {
    const letters = this.store.letters(job.id, chunk);
    const requests = await Promise.all(
      letters.map(async (letter): Promise<LetterInput> => {
        if (!letter.content) throw new GatewayError('BULK_STATE_LOST', `letter ${letter.requestId} has neither plaintext nor a sealed payload`);
        return { id: letter.requestId, kind: job.kind, formId: job.formId, addresseeId: letter.addresseeId, feePayer: letter.feePayer, letter: await seal(letter.content, recipients) };
      }),
    );
    return { engagement: job.engagement, requests };
  }

  /** Sends the chunk until it is on the ledger; false when the job failed or the gateway is stopping. */
  private async apply(principal: Principal, job: BulkJob, chunk: number, payload: IssueBatchInput): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.ledger.submit(principal, confirmationCall('IssueBatch', JSON.stringify(payload)));
        this.store.applied(job.id, chunk, { transactionId: outcome.transactionId, recovered: false });
        return true;
      } catch (err) {
        const error = toGatewayError(err);
        if (this.stopping && error.httpStatus >= 500) return false;
        if (error.code === 'ALREADY_EXISTS') {
          const conflict = await this.alreadyApplied(principal, payload);
          if (conflict === undefined) {
            this.logger.log({ msg: 'bulk chunk found on the ledger (sent before a restart)', job: job.id, chunk });
            this.store.applied(job.id, chunk, { recovered: true });
            return true;
          }
          this.fail(job, chunk, new GatewayError('ID_CONFLICT', conflict));
          return false;
        }
        this.store.attempted(job.id, chunk, `${error.code}: ${error.message}`);
        if (isTransient(error) && attempt < MAX_ATTEMPTS && !this.stopping) {
          await this.pause(FIRST_PAUSE_MS * 2 ** (attempt - 1));
          if (this.stopping) return false;
          continue;
        }
        if (this.stopping) return false;
        this.fail(job, chunk, error);
        return false;
      }
    }
  }

  /** undefined when every request of the payload is on the ledger with the payload's content hash; else why not. */
  private async alreadyApplied(principal: Principal, payload: IssueBatchInput): Promise<string | undefined> {
    for (const request of payload.requests) {
      let view: ConfirmationView;
      try {
        view = parseResult<ConfirmationView>(await this.ledger.evaluate(principal, confirmationCall('GetConfirmation', request.id)));
      } catch (err) {
        return `request id ${request.id} is taken but not readable by this firm (${toGatewayError(err).code}): nothing of this chunk was issued`;
      }
      if (view.letter.contentHash !== request.letter.contentHash) return `request ${request.id} exists with other content: nothing of this chunk was issued`;
    }
    return undefined;
  }

  private fail(job: BulkJob, chunk: number, error: GatewayError): void {
    this.store.chunkFailed(job.id, chunk, `${error.code}: ${error.message}`);
    this.store.setStatus(job.id, 'failed', { code: error.code, message: `chunk ${chunk}: ${error.message}` });
    this.logger.warn({ msg: 'bulk job failed', job: job.id, chunk, code: error.code });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = done;
    });
  }

  /** Re-queues a failed job: its failed chunk is sent again (same payload if it was sealed). */
  resume(job: BulkJob): void {
    this.store.requeue(job.id);
    this.wake();
  }

}
