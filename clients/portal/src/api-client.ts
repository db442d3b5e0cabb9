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
    const headers: Record<string, string> = { ...extraHeaders, Authorization: `Bearer ${token}`, Accept: 'application/json' };
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

  /** A binary answer (the evidence PDF, a CSV template). */
  async blob(path: string): Promise<Blob> {
    return (await this.send('GET', path)).blob();
  }
}
