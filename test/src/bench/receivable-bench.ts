import { type EncryptedContent, type Institution, type ReceivableRecord } from '@econfirm/common';
import { RegistryClient, submitAndWait } from '@econfirm/sdk';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDemoInstitution, freshRegistrationId, registerFresh, type HeldInstitution } from '../support/institutions';
import { networkScript, REPO_ROOT, descriptor, session, uniqueName } from '../support/network';
import { confirmationOf, limitOf, registrationOf, type AmountOpening } from '../support/receivables';
import { runLoad, type LoadResult } from './stats';

/**
 * Receivable operations per second on the real network, against the raw baseline
 * (fabric-baseline.json of the same run): registration at concurrency 1, 10 and 50 (independent
 * keys), and confirmation, which is one at a time per obligor by design (each reads and writes
 * the obligor's issued-total key: chaincode/README.md, "Receivable contract").
 */
const REGISTER_PLAN: ReadonlyArray<{ concurrency: number; operations: number }> = [
  { concurrency: 1, operations: Number(process.env.BENCH_RCV_OPS_C1 ?? 50) },
  { concurrency: 10, operations: Number(process.env.BENCH_RCV_OPS_C10 ?? 200) },
  { concurrency: 50, operations: Number(process.env.BENCH_RCV_OPS_C50 ?? 400) },
];
const CONFIRMATIONS = Number(process.env.BENCH_RCV_CONFIRMATIONS ?? 50);

function parse<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

async function main(): Promise<void> {
  const run = uniqueName('RB').toUpperCase().replace(/[^A-Z0-9]/g, '');
  const admin = session('operator', 'admin');
  let obligor: HeldInstitution;
  let supplier: HeldInstitution;
  let regulators: Institution[];
  try {
    await ensureDemoInstitution(admin, 'REGULATOR');
    const enterprise = (id: string) => registerFresh(admin, { id, kind: 'enterprise', mspId: 'OperatorMSP', nameZh: '基准测试企业', nameEn: `${id} Co.`, registrationId: freshRegistrationId('91B') });
    obligor = await enterprise(`BCORE-${run}`);
    supplier = await enterprise(`BSUP-${run}`);
    regulators = (await new RegistryClient(admin).list('regulator', 100)).records.filter((r) => r.status === 'active');
    const limit = await limitOf('999999999999999999', obligor, regulators);
    await submitAndWait(admin.contract('receivable'), 'SetReceivableLimit', { arguments: [obligor.record.id, JSON.stringify(limit)] });
  } finally {
    admin.close();
  }
  const names = { obligor: uniqueName('bcore'), supplier: uniqueName('bsup') };
  networkScript('identity.sh', 'issue', 'operator', names.obligor, 'client-signer', obligor.record.id);
  networkScript('identity.sh', 'issue', 'operator', names.supplier, 'client-signer', supplier.record.id);
  const supplierLedger = session('operator', names.supplier);
  const obligorLedger = session('operator', names.obligor);
  const results: (LoadResult & { operation: string })[] = [];
  const registered: ReceivableRecord[] = [];
  try {
    for (const step of REGISTER_PLAN) {
      const result = await runLoad(step.concurrency, step.operations, async (i) => {
        const input = await registrationOf(`RCV-${run}-${step.concurrency}-${i}`, String(100_000 + i), supplier, obligor, [`INV-${run}-${step.concurrency}-${i}`], `HT-${run}`);
        registered.push(parse<ReceivableRecord>((await submitAndWait(supplierLedger.contract('receivable'), 'RegisterReceivable', { arguments: [JSON.stringify(input)] })).result));
      });
      console.log(`RegisterReceivable, concurrency ${result.concurrency}: ${result.perSecond} tx/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.failures} failed`);
      results.push({ operation: 'RegisterReceivable', ...result });
    }
    const credit = parse<{ limit: { limit: EncryptedContent } }>(await obligorLedger.contract('receivable').evaluateTransaction('GetReceivableLimit', obligor.record.id));
    let issued: AmountOpening | undefined;
    const result = await runLoad(1, Math.min(CONFIRMATIONS, registered.length), async (i) => {
      const record = registered[i] as ReceivableRecord;
      const { argument, openings, next } = await confirmationOf(record, obligor, credit.limit.limit, regulators, issued);
      await submitAndWait(obligorLedger.contract('receivable'), 'ConfirmReceivable', { arguments: [record.id, argument], transientData: { openings: JSON.stringify(openings) } });
      issued = next;
    });
    console.log(`ConfirmReceivable (one obligor), concurrency 1: ${result.perSecond} tx/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.failures} failed`);
    results.push({ operation: 'ConfirmReceivable', ...result });
  } finally {
    supplierLedger.close();
    obligorLedger.close();
  }
  const dir = path.join(REPO_ROOT, 'test', 'bench', 'results');
  const baselineFile = path.join(dir, 'fabric-baseline.json');
  const baseline = existsSync(baselineFile) ? (JSON.parse(readFileSync(baselineFile, 'utf8')) as { results: LoadResult[] }).results : [];
  const report = {
    benchmark: 'receivable',
    description: 'receivable registration and confirmation through fabric-gateway, submit-to-commit latency; ratio against the raw baseline at the same concurrency',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    network: { orderers: descriptor().orderers.length, peerOrgs: descriptor().orgs.filter((o) => o.peers.length > 0).length, endorsement: '2 of 4 peer orgs' },
    results: results.map((r) => {
      const raw = baseline.find((b) => b.concurrency === r.concurrency);
      return { ...r, baselinePerSecond: raw?.perSecond ?? null, ofBaseline: raw ? Math.round((r.perSecond / raw.perSecond) * 100) / 100 : null };
    }),
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'receivable-bench.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${path.join(dir, 'receivable-bench.json')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
