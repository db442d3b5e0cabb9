import { createApiToken } from './api-token.js';
import type { StoredCredential } from './key-store.js';

/** An error answer of the gateway: `{ error: { code, message, requestId } }` and its HTTP status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    /** The error's `details` (e.g. a rejected upload's `issues`: [{ line, field, problem }]). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown; requestId?: unknown; details?: unknown } };
    const e = body.error;
    if (e && typeof e.code === 'string') {
      const details = typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : undefined;
      return new ApiError(res.status, e.code, typeof e.message === 'string' ? e.message : res.statusText, typeof e.requestId === 'string' ? e.requestId : undefined, details);
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(res.status, `HTTP_${res.status}`, res.statusText || 'request failed');
}

/** The gateway's /v1 API as the signed-in credential: a fresh token on every call. */
export class ApiClient {
  constructor(private readonly credential: StoredCredential) {}

  private async send(method: 'GET' | 'POST', path: string, body?: object, extraHeaders: Record<string, string> = {}): Promise<Response> {
    // The portal is served by the gateway: the API is on this page's origin, which must be the gateway's publicUrl.
    const token = await createApiToken(this.credential.credentialId, this.credential.audience, this.credential.key, { method, url: new URL(path, location.origin) });
    const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders, Authorization: `Bearer ${token}` };
    // A FormData body is sent as multipart/form-data: the browser writes that header with its boundary.
    const multipart = body instanceof FormData;
    if (body !== undefined && !multipart) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : multipart ? body : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
    } catch (err) {
      throw new ApiError(0, 'NETWORK_ERROR', `the gateway could not be reached: ${(err as Error).message}`);
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  async get<T>(path: string): Promise<T> {
    return (await (await this.send('GET', path)).json()) as T;
  }

  async post<T>(path: string, body?: object): Promise<T> {
    return (await (await this.send('POST', path, body)).json()) as T;
  }

  /**
   * A multipart upload (bulk issuance). The Idempotency-Key makes a repeated submission of the
   * same form (a double click, a retry after a lost answer) return the first job, not a second one.
   */
  async upload<T>(path: string, form: FormData, idempotencyKey: string): Promise<T> {
    return (await (await this.send('POST', path, form, { 'Idempotency-Key': idempotencyKey })).json()) as T;
  }

  /**
   * An NDJSON answer (`Accept: application/x-ndjson`: the evidence bundle with its progress): each
   * `{"progress": …}` line goes to `onProgress` as it arrives; the line that is not one is the
   * result — or, when it is the gateway's error body, thrown as the ApiError it carries.
   */
  async ndjson<T>(path: string, onProgress: (progress: { done: number; total: number }) => void): Promise<T> {
    const res = await this.send('GET', path, undefined, { Accept: 'application/x-ndjson' });
    if (!res.body) throw new ApiError(res.status, 'MALFORMED', 'the answer has no body');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let pending = '';
    let result: unknown;
    const take = (text: string): void => {
      if (text.trim() === '') return;
      const line = JSON.parse(text) as { progress?: { done: number; total: number } };
      if (line.progress) onProgress(line.progress);
      else result = line;
    };
    for (;;) {
      const { done, value } = await reader.read();
      if (value) pending += value;
      const lines = pending.split('\n');
      pending = done ? '' : (lines.pop() ?? '');
      for (const text of lines) take(text);
      if (done) break;
    }
    const error = (result as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | undefined)?.error;
    if (error && typeof error.code === 'string') throw new ApiError(res.status, error.code, typeof error.message === 'string' ? error.message : 'failed', typeof error.requestId === 'string' ? error.requestId : undefined);
    if (result === undefined) throw new ApiError(res.status, 'MALFORMED', 'the answer ended before its last line');
    return result as T;
  }

  /** A binary answer (the evidence PDF, a CSV template). */
  async blob(path: string): Promise<Blob> {
    return (await this.send('GET', path)).blob();
  }
}
