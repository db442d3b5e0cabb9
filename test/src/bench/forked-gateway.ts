import { createApp, CredentialsStore, GATEWAY_NODE_FLAGS, validateGatewayConfig } from '@econfirm/gateway';
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

export interface GatewayUsage {
  rssBytes: number;
  /** User + system CPU time of the gateway process since it started. */
  cpuMicros: number;
}

export interface ForkedGatewayOptions {
  /** Registry cache TTL (0 = off). */
  registryCacheTtlMs: number;
  /** Event routing on (webhooks, /v1/events) — the soak includes it, the throughput benchmark not. */
  events: boolean;
}

export interface ForkedGateway extends GatewayHandle {
  /** The Node flags the gateway process runs with. */
  nodeFlags: readonly string[];
  memory: () => Promise<GatewayMemory>;
  /** The process's RSS as it is (no collection first) and the CPU time it has used: cheap enough to sample under load. */
  usage: () => Promise<GatewayUsage>;
  /** Writes a V8 heap snapshot of the gateway process to `file` (for Chrome DevTools' comparison view). */
  heapSnapshot: (file: string) => Promise<string>;
  close: () => Promise<void>;
}

type ParentMessage = 'stop' | 'memory' | 'usage' | { heapSnapshot: string };

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
    if (message === 'usage') {
      const cpu = process.cpuUsage();
      process.send?.({ rssBytes: process.memoryUsage.rss(), cpuMicros: cpu.user + cpu.system } satisfies GatewayUsage);
    }
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

/** Starts the gateway in a child process (this module, with the gateway's Node flags and --expose-gc) and waits until it listens. */
export async function startForkedGateway(dir: string, options: ForkedGatewayOptions): Promise<ForkedGateway> {
  // As deployed (gateway/src/node-flags.ts), or BENCH_GATEWAY_NODE_FLAGS (space-separated; "" for
  // V8's defaults) to measure what the flags change; --expose-gc for the heap after a collection.
  const flags = process.env.BENCH_GATEWAY_NODE_FLAGS;
  const nodeFlags = [...new Set([...(flags === undefined ? GATEWAY_NODE_FLAGS : flags.split(' ').filter(Boolean)), '--expose-gc'])];
  const child = fork(__filename, ['serve', dir, JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: nodeFlags });
  const handle = await new Promise<GatewayHandle>((resolve, reject) => {
    child.once('message', (message) => resolve(message as GatewayHandle));
    child.once('exit', (code) => reject(new Error(`the gateway process exited (${code}) before it listened`)));
  });
  // One question at a time: each answer is the child's next message, so a sampler of the RSS
  // and a full memory report must not interleave.
  let asking: Promise<unknown> = Promise.resolve();
  const ask = <T>(message: ParentMessage): Promise<T> => {
    const answer = asking.then(
      () =>
        new Promise<T>((resolve) => {
          child.once('message', (reply) => resolve(reply as T));
          child.send(message);
        }),
    );
    asking = answer.catch(() => undefined);
    return answer;
  };
  return {
    ...handle,
    nodeFlags,
    memory: () => ask<GatewayMemory>('memory'),
    usage: () => ask<GatewayUsage>('usage'),
    heapSnapshot: async (file) => (await ask<{ written: string }>({ heapSnapshot: file })).written,
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
