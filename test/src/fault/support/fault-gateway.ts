import { createApiToken } from '@econfirm/sdk';
import type { JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { networkDir } from '../../support/institutions';
import { gatewayScript, portBase } from './processes';

/** A demo credential file as `gateway credentials issue --out` writes it. */
interface CredentialFile {
  credentialId: string;
  audience: string;
  url: string;
  privateJwk: JsonWebKey;
}

/** One HTTP answer, or the transport failure that stood for it (the gateway was down, a reset). */
export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** The fault suite's gateway port: base+2590, clear of the network (base…base+400), the demo gateway (base+393), the consortium test (base+2100) and the BFT test network (base+2600…). */
export function faultGatewayPort(): number {
  return portBase() + 2590;
}

/**
 * The gateway as a real process (scripts/gateway.sh with its own folder and port): the suite
 * can SIGKILL it, restart it, and talks to it over HTTP only, as a client would. Its callers are
 * the demo credentials gateway.sh issues.
 */
export class FaultGateway {
  readonly dir: string;
  readonly url: string;
  private readonly script: ReturnType<typeof gatewayScript>;

  /** `folder`: its own folder under the network's (its config, gateway.db, log, demo credentials). */
  constructor(
    folder = 'fault-gateway',
    readonly port = faultGatewayPort(),
  ) {
    this.dir = path.join(networkDir(), folder);
    this.url = `http://127.0.0.1:${port}`;
    this.script = gatewayScript(this.dir, port);
  }

  start(): Promise<string> {
    return this.script('start');
  }

  stop(): Promise<string> {
    return this.script('stop');
  }

  /** scripts/gateway.sh backup FILE: its JSON summary line. */
  backup(file: string): Promise<string> {
    return this.script('backup', file);
  }

  /** scripts/gateway.sh restore FILE (the gateway stopped); a refusal rejects with the script's message. */
  restore(file: string): Promise<string> {
    return this.script('restore', file);
  }

  pid(): number | undefined {
    try {
      const pid = Number(readFileSync(path.join(this.dir, 'gateway.pid'), 'utf8').trim());
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /** SIGKILL: no shutdown hook runs, SQLite is left mid-write as a crash leaves it. */
  async kill(): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) throw new Error('the fault gateway is not running');
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`gateway pid ${pid} survived SIGKILL`);
  }

  /** A demo credential, e.g. `firm1.auditor1`. */
  caller(credentialId: string): CredentialFile {
    return JSON.parse(readFileSync(path.join(this.dir, 'demo-credentials', `${credentialId}.json`), 'utf8')) as CredentialFile;
  }

  /** One request with a token made for it; a transport failure answers status 0. */
  async request(callerId: string, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 60_000): Promise<Answer> {
    const caller = this.caller(callerId);
    const token = await createApiToken(caller.credentialId, caller.privateJwk, { audience: caller.audience, method, url: `${caller.url}${url}` });
    try {
      const res = await fetch(`${this.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? (JSON.parse(text) as unknown) : null;
      } catch {
        // not JSON (a PDF, CSV): kept as text
      }
      return { status: res.status, body: parsed, headers: res.headers };
    } catch (err) {
      return { status: 0, body: { error: { code: 'TRANSPORT', message: err instanceof Error ? err.message : String(err) } }, headers: new Headers() };
    }
  }

  /** A multipart upload (a bulk job's file and fields). */
  async upload(callerId: string, url: string, form: FormData, headers: Record<string, string> = {}): Promise<Answer> {
    const caller = this.caller(callerId);
    const token = await createApiToken(caller.credentialId, caller.privateJwk, { audience: caller.audience, method: 'POST', url: `${caller.url}${url}` });
    const res = await fetch(`${this.url}${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body: form, signal: AbortSignal.timeout(60_000) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null, headers: res.headers };
  }

  /** /readyz answers 200 (every tenant's ledger probe passes). */
  async ready(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(3000) })).status === 200;
    } catch {
      return false;
    }
  }

  /** Waits until /readyz answers 200 by itself; the seconds it took. */
  async waitReady(seconds: number): Promise<number> {
    const t0 = Date.now();
    while (!(await this.ready())) {
      if (Date.now() - t0 > seconds * 1000) throw new Error(`the gateway was not ready ${seconds} s after the fault healed; see ${this.dir}/gateway.log`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return (Date.now() - t0) / 1000;
  }
}
