import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { GatewayError } from '../errors/gateway-error';
import { BulkJobsStore, type BulkJob } from './bulk-jobs.store';
import { BulkRunner } from './bulk-runner.service';
import type { BulkJobDto, BulkLetterResultDto } from './dto/bulk.dto';

/**
 * A tenant's bulk jobs as the routes of bulk.controller.ts show them: progress counted from the
 * job's chunks and letters; another tenant's job is answered exactly as one that does not exist.
 */
@Injectable()
export class BulkJobsService {
  constructor(
    private readonly store: BulkJobsStore,
    private readonly runner: BulkRunner,
  ) {}

  view(job: BulkJob): BulkJobDto {
    const chunks = this.store.chunks(job.id);
    const issued = job.status === 'rejected' ? 0 : this.store.letters(job.id).filter((l) => l.status === 'issued').length;
    return {
      id: job.id,
      status: job.status,
      kind: job.kind,
      formId: job.formId,
      engagement: { ...job.engagement },
      fileName: job.fileName,
      format: job.format,
      rows: job.rowCount,
      progress: {
        letters: job.letterCount,
        issued,
        chunks: job.chunkCount,
        chunksApplied: chunks.filter((c) => c.status === 'applied').length,
        chunksRecovered: chunks.filter((c) => c.recovered).length,
      },
      issues: job.issues,
      ...(job.error ? { error: { ...job.error } } : {}),
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    };
  }

  private own(principal: Principal, id: string): BulkJob {
    const job = this.store.get(id);
    if (!job || job.tenantId !== principal.tenantId) throw GatewayError.notFound(`no bulk job ${id}`);
    return job;
  }

  /** The tenant's jobs, newest first (at most 100). */
  list(principal: Principal): BulkJobDto[] {
    return this.store.listForTenant(principal.tenantId, 100).map((job) => this.view(job));
  }

  get(principal: Principal, id: string): BulkJobDto {
    return this.view(this.own(principal, id));
  }

  letters(principal: Principal, id: string): BulkLetterResultDto[] {
    const job = this.own(principal, id);
    return this.store.letters(job.id).map((l) => ({
      line: l.line,
      lines: l.lines,
      letterRef: l.letterRef,
      requestId: l.requestId,
      addresseeId: l.addresseeId,
      status: l.status,
      ...(l.contentHash ? { contentHash: l.contentHash } : {}),
    }));
  }

  /** A failed job queued again: applied chunks stay, the failed one is sent again. */
  resume(principal: Principal, id: string): BulkJobDto {
    const job = this.own(principal, id);
    if (job.status !== 'failed') throw new GatewayError('INVALID_STATE_TRANSITION', `job ${id} is ${job.status}; only a failed job is resumed`);
    this.runner.resume(job);
    return this.view(this.store.get(id) as BulkJob);
  }
}
