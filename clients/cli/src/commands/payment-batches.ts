import { createApiToken, readApiCredentialFile, type ApiCredentialFile } from '@econfirm/sdk';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const PAYMENT_BATCHES_USAGE = `  payment-batches import <file.csv|file.xlsx> --credential <file.json> --payer <id> --instruction <ref>
                    [--currency CNY] [--id <batchId>] [--key <Idempotency-Key>]
                               a payment batch (批量代付) from a file of payees (payeeReference,amount
                               in yuan) through the gateway the credential file names (a bank officer's
                               file from the gateway's credentials issue; no --as): every line checked,
                               a bad file refused with each line (exit 1, nothing settled), a good one
                               settled in one transaction; its stage on stderr, the batch on stdout.
                               The same --key again answers the first outcome`;

export class PaymentBatchUsageError extends Error {}

/** Only `payment-batches …`: it talks to a gateway with an API credential, not to the ledger as --as. */
export function isPaymentBatchesInvocation(argv: readonly string[]): boolean {
  return argv[0] === 'payment-batches';
}

interface ImportArgs {
  file: string;
  credential: string;
  payerId: string;
  instructionReference: string;
  currency: string;
  id?: string;
  key: string;
}

function parseImport(words: readonly string[]): ImportArgs {
  const options = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith('--')) {
      positional.push(word);
      continue;
    }
    const value = words[++i];
    if (value === undefined || value.startsWith('--')) throw new PaymentBatchUsageError(`${word} takes a value`);
    if (!['--credential', '--payer', '--instruction', '--currency', '--id', '--key'].includes(word)) throw new PaymentBatchUsageError(`unknown option ${word}`);
    options.set(word.slice(2), value);
  }
  const [file, ...extra] = positional;
  if (!file || extra.length > 0) throw new PaymentBatchUsageError('give one file of payees (CSV or XLSX)');
  const required = (name: string): string => {
    const value = options.get(name);
    if (!value) throw new PaymentBatchUsageError(`--${name} is required`);
    return value;
  };
  const id = options.get('id');
  return {
    file,
    credential: required('credential'),
    payerId: required('payer'),
    instructionReference: required('instruction'),
    currency: options.get('currency') ?? 'CNY',
    ...(id ? { id } : {}),
    // Printed before the upload: the same key on a retry settles nothing twice.
    key: options.get('key') ?? randomUUID(),
  };
}

/** A call to the gateway as the credential: a fresh single-use token bound to its method and URL. */
class GatewayCaller {
  constructor(
    private readonly credential: ApiCredentialFile,
    private readonly base: string,
  ) {}

  async call(method: 'GET' | 'POST', route: string, init: { body?: FormData; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const url = `${this.base}${route}`;
    const token = await createApiToken(this.credential.credentialId, this.credential.privateJwk, { audience: this.credential.audience, method, url });
    const res = await fetch(url, { method, headers: { ...init.headers, Authorization: `Bearer ${token}`, Accept: 'application/json' }, ...(init.body ? { body: init.body } : {}) });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { error: { code: `HTTP_${res.status}`, message: text.slice(0, 200) } };
    }
    return { status: res.status, body };
  }
}

const STAGES = ['validating', 'endorsing', 'ordering', 'committed'];

/** `[##------] endorsing · 300 payees`: where the import stands as the gateway says (GET /v1/payment-batches/imports/{key}). */
export function stageLine(progress: { stage: string; lines?: number; transactionId?: string }, width = 8): string {
  const at = STAGES.indexOf(progress.stage);
  const filled = at < 0 ? 0 : Math.round(((at + 1) / STAGES.length) * width);
  const parts = [progress.stage, progress.lines !== undefined ? `${progress.lines} payees` : '', progress.transactionId ? `tx ${progress.transactionId}` : ''];
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${parts.filter(Boolean).join(' · ')}`;
}

interface RowIssue {
  line: number;
  field: string;
  problem: string;
}

/**
 * `payment-batches import`: the file uploaded to POST /v1/payment-batches/import under an
 * Idempotency-Key, its stage polled and written to stderr while the upload runs; the settled batch
 * printed as JSON (exit 0), or the refusal with each bad line (exit 1).
 */
export async function paymentBatchesCommand(words: readonly string[], out: (text: string) => void, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [verb, ...rest] = words;
  if (verb !== 'import') throw new PaymentBatchUsageError(`usage:\n${PAYMENT_BATCHES_USAGE}`);
  const args = parseImport(rest);
  let credential: ApiCredentialFile;
  try {
    credential = readApiCredentialFile(args.credential);
  } catch (e) {
    throw new PaymentBatchUsageError((e as Error).message);
  }
  if (!credential.url) throw new PaymentBatchUsageError(`${args.credential} names no gateway url: issue the credential file again (gateway: credentials issue)`);
  if (!existsSync(args.file)) throw new PaymentBatchUsageError(`no file ${args.file}`);
  const bytes = readFileSync(args.file);
  const gateway = new GatewayCaller(credential, credential.url.replace(/\/+$/, ''));
  const form = new FormData();
  form.append('payerId', args.payerId);
  form.append('currency', args.currency);
  form.append('instructionReference', args.instructionReference);
  if (args.id) form.append('id', args.id);
  form.append('file', new Blob([bytes]), path.basename(args.file));
  err.write(`Idempotency-Key ${args.key} (give it again with --key to retry)\n`);

  let uploading = true;
  let last = '';
  const show = (progress: Record<string, unknown>): void => {
    const line = stageLine(progress as { stage: string; lines?: number; transactionId?: string });
    if (line !== last) err.write(`${line}\n`);
    last = line;
  };
  const progressRoute = `/v1/payment-batches/imports/${encodeURIComponent(args.key)}`;
  const poll = (async () => {
    while (uploading) {
      // 404 until the gateway has the whole file; a failed poll is no reason to stop the import.
      const progress = await gateway.call('GET', progressRoute).catch(() => undefined);
      if (progress?.status === 200) show(progress.body);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  let answer: { status: number; body: Record<string, unknown> };
  try {
    answer = await gateway.call('POST', '/v1/payment-batches/import', { body: form, headers: { 'Idempotency-Key': args.key } });
  } catch (e) {
    uploading = false;
    await poll;
    err.write(`econfirm: the gateway at ${credential.url} could not be reached: ${(e as Error).message}\n`);
    return 1;
  }
  uploading = false;
  await poll;
  const final = await gateway.call('GET', progressRoute).catch(() => undefined);
  if (final?.status === 200) show(final.body);

  if (answer.status === 200 || answer.status === 201) {
    const batch = answer.body as { id: string; payerId: string; bankId: string; currency: string; count: number; settledAt: string; summary?: { content?: { total?: string } } };
    out(
      JSON.stringify(
        { status: answer.status === 201 ? 'settled' : 'already-settled', id: batch.id, payerId: batch.payerId, bankId: batch.bankId, currency: batch.currency, count: batch.count, totalMinor: batch.summary?.content?.total, settledAt: batch.settledAt, idempotencyKey: args.key },
        null,
        2,
      ),
    );
    return 0;
  }
  const error = (answer.body.error ?? {}) as { code?: string; message?: string; details?: { issues?: RowIssue[] } };
  err.write(`econfirm: ${answer.status} ${error.code ?? 'ERROR'}: ${error.message ?? ''}\n`);
  const issues = Array.isArray(error.details?.issues) ? error.details.issues : [];
  for (const issue of issues) if (typeof issue.line === 'number') err.write(`  line ${issue.line}, ${issue.field}: ${issue.problem}\n`);
  return 1;
}
