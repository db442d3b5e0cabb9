import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { validateGatewayConfig, type GatewayConfig } from '../config/gateway-config';
import { AtRestCipher } from '../database/at-rest-cipher';
import { openDatabase } from '../database/database.module';
import { IdempotencyStore } from '../idempotency/idempotency.store';

/**
 * A network descriptor with two orgs and a few identities, for unit tests that need tenants and
 * credentials but no network (nothing here is dialled or read beyond names and roles).
 */
export function unitConfig(): GatewayConfig {
  const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-gw-unit-'));
  const identity = (name: string, role: string, institution?: string) => ({ name, role, ...(institution ? { institution } : {}), certPath: '/nonexistent', keyPath: '/nonexistent' });
  const descriptor = {
    channel: 'econfirm',
    chaincode: { name: 'econfirm', version: '1', sequence: 1, packageId: 'x' },
    orderers: [],
    orgs: [
      { key: 'operator', mspId: 'OperatorMSP', kind: 'operator', caCertPath: '/nonexistent', peers: [{ name: 'p', endpoint: '127.0.0.1:1', hostAlias: 'p', tlsRootCertPath: '/nonexistent', operationsUrl: '' }],
        identities: [identity('client1', 'client-signer', 'CLIENT1'), identity('registrar1', 'registrar', 'MREG1')] },
      { key: 'firm1', mspId: 'Firm1MSP', kind: 'firm', caCertPath: '/nonexistent', peers: [{ name: 'p', endpoint: '127.0.0.1:1', hostAlias: 'p', tlsRootCertPath: '/nonexistent', operationsUrl: '' }],
        identities: [identity('auditor1', 'auditor', 'FIRM1'), identity('auditor2', 'auditor', 'FIRM1')] },
    ],
  };
  writeFileSync(path.join(dir, 'network.json'), JSON.stringify(descriptor));
  return validateGatewayConfig({
    dbPath: ':memory:',
    networkDescriptorPath: path.join(dir, 'network.json'),
    keysDir: path.join(dir, 'keys'),
    tenants: [
      { id: 'firm1', institutionId: 'FIRM1', orgKey: 'firm1' },
      { id: 'client1', institutionId: 'CLIENT1', orgKey: 'operator' },
    ],
  });
}

/** An IdempotencyStore on a fresh in-memory database, sealing under a key in the unit config's own keysDir. */
export function unitIdempotencyStore(config: GatewayConfig = unitConfig()): IdempotencyStore {
  return new IdempotencyStore(openDatabase(':memory:'), config, new AtRestCipher(config.keysDir));
}
