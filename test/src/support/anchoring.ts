import { ConfirmationState } from '@econfirm/common';
import { validateGatewayConfig, type AnchorBatchRow, type AnchoringService, type GatewayConfig } from '@econfirm/gateway';
import { expect } from 'chai';
import { evmDeployment } from './evm';
import { agreeingReply, bankLetterRequest, E2E_TENANTS, TestGateway, type DemoCallers } from './gateway';

export type AnchoringSettings = NonNullable<GatewayConfig['anchoring']>;

/** The anchoring settings of the anchoring tests: the development node's deployment, quick rounds. */
export function anchoringOn(overrides: Partial<AnchoringSettings> = {}): AnchoringSettings {
  const deployment = evmDeployment();
  return {
    rpcUrl: deployment.rpcUrl,
    chainId: deployment.chainId,
    contractAddress: deployment.address,
    key: { file: deployment.anchorerKeyFile },
    recorder: { tenantId: 'operator', identityName: 'admin' },
    batchIntervalMs: 60_000,
    maxItems: 2,
    confirmations: 2,
    pollMs: 200,
    dropAfterMs: 2000,
    reconcileMs: 600_000,
    ...overrides,
  };
}

/** A gateway with events on (the service finds completed evidence in the outbox) and anchoring as given; `more` settings beside. */
export function startAnchoringGateway(anchoring: AnchoringSettings, tenants = E2E_TENANTS, more: Partial<GatewayConfig> = {}): Promise<TestGateway> {
  const events = validateGatewayConfig({ dbPath: 'x.db', networkDescriptorPath: 'x.json', keysDir: 'keys', tenants }).events;
  return TestGateway.start({ events: { ...events, enabled: true, reconnectBackoffMs: 100 }, anchoring, tenants, ...more });
}

/** Issue → authorize → accept → reply → approve → auditor-accept, through the gateway. */
export async function completeConfirmation(gw: TestGateway, c: DemoCallers, id: string, engagementId: string): Promise<void> {
  const issued = await gw.post(c.auditor, '/v1/confirmations', bankLetterRequest(id, engagementId, '6222000033334444'));
  expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
  expect((await gw.postStep(c.clientSigner, `/v1/confirmations/${id}/authorization`, { feeConsent: true })).status).to.equal(200);
  expect((await gw.postStep(c.officer, `/v1/confirmations/${id}/acceptance`)).status).to.equal(200);
  expect((await gw.postStep(c.officer, `/v1/confirmations/${id}/reply`, { content: agreeingReply() })).status).to.equal(200);
  expect((await gw.postStep(c.reviewer, `/v1/confirmations/${id}/reply/approval`)).status).to.equal(200);
  const accepted = await gw.postStep(c.auditor, `/v1/confirmations/${id}/auditor-acceptance`);
  expect(accepted.body.state, JSON.stringify(accepted.body)).to.equal(ConfirmationState.AuditorAccepted);
}

/** Waits until `predicate` holds for the service's batches (or fails after `ms`). */
export async function waitForBatches(service: AnchoringService, what: string, predicate: (batches: AnchorBatchRow[]) => boolean, ms = 60_000): Promise<AnchorBatchRow[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const batches = service.store.batches();
    if (predicate(batches)) return batches;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${ms} ms; batches ${JSON.stringify(batches.map((b) => [b.seq, b.state, b.lastError]))}; ${JSON.stringify(service.status())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
