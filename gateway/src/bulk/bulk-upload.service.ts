import { Inject, Injectable } from '@nestjs/common';
import {
  CONFIRMATION_KINDS,
  findForm,
  INSTITUTION_ID,
  InstitutionKind,
  InstitutionStatus,
  ISO_DATE,
  isBankLetter,
  REQUEST_ID,
  type ConfirmationKind,
  type Engagement,
  type FormDefinition,
  type Institution,
} from '@econfirm/common';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { GatewayError } from '../errors/gateway-error';
import { RegistryReader } from '../institutions/registry-reader.service';
import { BulkJobsStore, type BulkJob, type NewJob } from './bulk-jobs.store';
import { BulkRunner } from './bulk-runner.service';
import { assembleLetters, type AssembledLetter, type RowIssue } from './letter-assembly';
import { defaultFormId, letterTemplate, type LetterTemplate } from './letter-template';
import { readUploadedSheet } from './uploaded-sheet';

export interface UploadInput {
  kind: string;
  formId?: string;
  engagement: Engagement;
  fileName: string;
  bytes: Uint8Array;
}


/** The template of a kind (and optional form edition), or a 4xx naming what is wrong. */
export function templateFor(kind: string, formId?: string): { template: LetterTemplate; form: FormDefinition } {
  if (!(CONFIRMATION_KINDS as readonly string[]).includes(kind)) {
    throw new GatewayError('VALIDATION_FAILED', `kind must be one of ${CONFIRMATION_KINDS.join(', ')}`, { issues: [{ path: 'kind', problem: 'unknown letter kind' }] });
  }
  const id = formId ?? defaultFormId(kind as ConfirmationKind);
  const form = id ? findForm(id) : undefined;
  if (!form || !form.kinds.includes(kind as ConfirmationKind)) {
    throw new GatewayError('VALIDATION_FAILED', `form ${id ?? '?'} is not a form for ${kind}`, { issues: [{ path: 'formId', problem: `not a form for ${kind}` }] });
  }
  return { template: letterTemplate(kind as ConfirmationKind, form), form };
}

function engagementIssues(engagement: Engagement): Array<{ path: string; problem: string }> {
  const issues: Array<{ path: string; problem: string }> = [];
  if (!REQUEST_ID.test(engagement.id ?? '')) issues.push({ path: 'engagementId', problem: 'required: 3-128 of A-Z a-z 0-9 . _ : -' });
  if (!INSTITUTION_ID.test(engagement.clientId ?? '')) issues.push({ path: 'clientId', problem: 'required: a registry id' });
  for (const key of ['periodStart', 'periodEnd', 'asOfDate'] as const) {
    if (!ISO_DATE.test(engagement[key] ?? '')) issues.push({ path: key, problem: 'required: YYYY-MM-DD' });
  }
  if (issues.length === 0 && engagement.periodStart > engagement.periodEnd) issues.push({ path: 'periodEnd', problem: 'before periodStart' });
  return issues;
}

/**
 * Upload of an engagement's letters: the file is read, every row validated (layout, form rules,
 * registry addressees) before anything is written. A job with any bad row is recorded as rejected
 * with every issue and answered 422; a valid one is queued for the runner and answered 202.
 */
@Injectable()
export class BulkUploadService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly store: BulkJobsStore,
    private readonly registry: RegistryReader,
    private readonly runner: BulkRunner,
  ) {}

  async upload(principal: Principal, input: UploadInput): Promise<BulkJob> {
    if (principal.custody !== 'custodial') {
      throw new GatewayError('OFFLINE_SIGNING_REQUIRED', 'bulk issuance signs one IssueBatch per chunk with the identity the gateway holds: use a custodial credential');
    }
    const { template, form } = templateFor(input.kind, input.formId);
    const badEngagement = engagementIssues(input.engagement);
    if (badEngagement.length > 0) throw new GatewayError('VALIDATION_FAILED', `engagement: ${badEngagement.map((i) => `${i.path}: ${i.problem}`).join('; ')}`, { issues: badEngagement });
    const sheet = await readUploadedSheet(input.bytes, input.fileName, this.config.bulk, "split the engagement's letters into several uploads; nothing was issued");
    const job: NewJob = {
      id: randomUUID(),
      tenantId: principal.tenantId,
      credentialId: principal.credentialId,
      kind: template.kind,
      formId: form.formId,
      engagement: input.engagement,
      fileName: input.fileName,
      format: sheet.format,
      rowCount: sheet.rows.length,
    };
    const { letters, issues } = assembleLetters(sheet, template, form, input.engagement);
    if (issues.length === 0 && letters.length === 0) issues.push({ line: sheet.headerLine, field: 'file', problem: 'no letters: the file has a header row only' });
    if (issues.length === 0) issues.push(...(await this.registryIssues(principal, template.kind, input.engagement, letters)));
    if (issues.length > 0) {
      const rejected = this.store.reject(job, issues);
      throw new GatewayError('ROWS_INVALID', `${issues.length} problem(s) in the file, first: line ${issues[0]?.line}, ${issues[0]?.field}: ${issues[0]?.problem}; nothing was issued`, {
        jobId: rejected.id,
        issues,
      });
    }
    const queued = this.store.enqueue(job, letters, this.config.bulk.batchSize);
    this.runner.wake();
    return queued;
  }

  /** The client and every addressee are checked in the registry as the chaincode will (kind, status, independence). */
  private async registryIssues(principal: Principal, kind: ConfirmationKind, engagement: Engagement, letters: AssembledLetter[]): Promise<RowIssue[]> {
    const issues: RowIssue[] = [];
    const lookups = new Map<string, Promise<Institution | undefined>>();
    const lookup = (id: string): Promise<Institution | undefined> => {
      let found = lookups.get(id);
      if (!found) {
        found = this.registry.get(principal, id).catch((err: unknown) => {
          if (err instanceof GatewayError && err.code === 'NOT_FOUND') return undefined;
          throw err;
        });
        lookups.set(id, found);
      }
      return found;
    };
    const client = await lookup(engagement.clientId);
    if (!client || client.kind !== InstitutionKind.Client) {
      throw new GatewayError('VALIDATION_FAILED', `clientId ${engagement.clientId} is not a client in the registry`, { issues: [{ path: 'clientId', problem: 'not a registered client' }] });
    }
    const allowed: string[] = isBankLetter(kind) ? [InstitutionKind.Bank, InstitutionKind.BankBranch] : [InstitutionKind.Enterprise, InstitutionKind.Client];
    for (const letter of letters) {
      const addressee = await lookup(letter.addresseeId);
      const problem = !addressee
        ? 'not in the registry'
        : !allowed.includes(addressee.kind)
          ? `is a ${addressee.kind}; a ${kind} letter goes to a ${allowed.join(' or ')}`
          : addressee.status !== InstitutionStatus.Active
            ? `is ${addressee.status}`
            : addressee.id === engagement.clientId || addressee.id === principal.institutionId
              ? 'the responder must be independent of the client and the firm'
              : undefined;
      if (problem) {
        issues.push({ line: letter.line, field: 'addresseeId', problem: `${letter.addresseeId} ${problem}` });
        continue;
      }
      if (addressee?.parentId) {
        const parent = await lookup(addressee.parentId);
        if (!parent || parent.status !== InstitutionStatus.Active) issues.push({ line: letter.line, field: 'addresseeId', problem: `the bank of branch ${letter.addresseeId} is not active` });
      }
    }
    return issues;
  }
}
