import { createApp, CredentialsStore, validateGatewayConfig } from '@econfirm/gateway';
import { defaultDescriptorPath } from '@econfirm/sdk';
import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { E2E_TENANTS, type Caller } from '../support/gateway';
import { networkDir } from '../support/institutions';
import { REPO_ROOT } from '../support/network';

/**
 * The gateway of a benchmark in its own Node process (as deployed), so it does not share a thread
 * or a heap with the load generator: the gateway and soak benchmarks drive it over HTTP and ask it
 * for its memory over IPC.
 */

export type Role = 'auditor' | 'client' | 'officer' | 'reviewer' | 'regulator';

export interface GatewayHandle {
  base: string;
  audience: string;
  /** The gateway's publicUrl: tokens are bound to it plus the path (htu). */
  publicUrl: string;
  pid: number;
  callers: Record<Role, Caller>;
}

/** What the child reports of its memory; heapUsedAfterGc is after a full collection (run with --expose-gc). */
export interface GatewayMemory {
  rssBytes: number;
  heapUsedBytes: number;
  heapUsedAfterGcBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
}

export interface ForkedGatewayOptions {
  /** Registry cache TTL (0 = off). */
  registryCacheTtlMs: number;
  /** Event routing on (webhooks, /v1/events) — the soak includes it, the throughput benchmark not. */
  events: boolean;
}

export interface ForkedGateway extends GatewayHandle {
  memory: () => Promise<GatewayMemory>;
  /** Writes a V8 heap snapshot of the gateway process to `file` (for Chrome DevTools' comparison view). */
  heapSnapshot: (file: string) => Promise<string>;
  close: () => Promise<void>;
}

type ParentMessage = 'stop' | 'memory' | { heapSnapshot: string };

/** Child side: the gateway on a loopback port, custodial credentials for the roles, sent to the parent. */
async function serve(dir: string, options: ForkedGatewayOptions): Promise<void> {
  const config = validateGatewayConfig({
    port: 0,
    dbPath: path.join(dir, 'gateway.db'),
    networkDescriptorPath: defaultDescriptorPath(REPO_ROOT),
    keysDir: path.join(networkDir(), 'institution-keys'),
    logLevel: 'warn',
    tenants: E2E_TENANTS,
    events: { enabled: options.events },
    registryCache: { ttlMs: options.registryCacheTtlMs },
    // The benchmarks measure the gateway's cost, not its rate limits: one credential per role drives all the load.
    limits: { rate: { credentialPerMinute: 1_000_000, tenantPerMinute: 1_000_000 } },
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const store = app.get(CredentialsStore);
  const issue = (tenantId: string, identityName: string): Caller => {
    const issued = store.issue({ tenantId, identityName });
    return { credentialId: issued.credential.id, privateJwk: issued.privateJwk };
  };
  const handle: GatewayHandle = {
    base: `http://127.0.0.1:${port}`,
    audience: config.audience,
    publicUrl: config.publicUrl,
    pid: process.pid,
    callers: {
      auditor: issue('firm1', 'auditor1'),
      client: issue('client1', 'client1'),
      officer: issue('bank1', 'officer1'),
      reviewer: issue('bank1', 'reviewer1'),
      regulator: issue('regulator', 'regulator1'),
    },
  };
  process.send?.(handle);
  process.on('message', (message: ParentMessage) => {
    if (message === 'stop') void app.close().then(() => process.exit(0));
    if (message === 'memory') process.send?.(memoryNow());
    if (typeof message === 'object') process.send?.({ written: writeHeapSnapshot(message.heapSnapshot) });
  });
}

function memoryNow(): GatewayMemory {
  const before = process.memoryUsage();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const after = process.memoryUsage();
  return { rssBytes: after.rss, heapUsedBytes: before.heapUsed, heapUsedAfterGcBytes: gc ? after.heapUsed : Number.NaN, externalBytes: after.external, arrayBuffersBytes: after.arrayBuffers };
}

/** Starts the gateway in a child process (this module, with --expose-gc) and waits until it listens. */
export async function startForkedGateway(dir: string, options: ForkedGatewayOptions): Promise<ForkedGateway> {
  const child = fork(__filename, ['serve', dir, JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc'] });
  const handle = await new Promise<GatewayHandle>((resolve, reject) => {
    child.once('message', (message) => resolve(message as GatewayHandle));
    child.once('exit', (code) => reject(new Error(`the gateway process exited (${code}) before it listened`)));
  });
  return {
    ...handle,
    memory: () =>
      new Promise<GatewayMemory>((resolve) => {
        child.once('message', (message) => resolve(message as GatewayMemory));
        child.send('memory' satisfies ParentMessage);
      }),
    heapSnapshot: (file) =>
      new Promise<string>((resolve) => {
        child.once('message', (message) => resolve((message as { written: string }).written));
        child.send({ heapSnapshot: file } satisfies ParentMessage);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop' satisfies ParentMessage);
      }),
  };
}

if (require.main === module && process.argv[2] === 'serve') {
  serve(process.argv[3] as string, JSON.parse(process.argv[4] as string) as ForkedGatewayOptions).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
