import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Role } from '@econfirm/common';
import type { OrgKind } from '@econfirm/sdk';
import { validateGatewayConfig, type GatewayConfig } from '../config/gateway-config';
import { AtRestCipher } from '../database/at-rest-cipher';
import { openDatabase } from '../database/database.module';
import { IdempotencyStore } from '../idempotency/idempotency.store';

interface UnitIdentity {
  name: string;
  role: Role;
  institution?: string;
}

interface UnitOrg {
  key: string;
  mspId: string;
  kind: OrgKind;
  identities: UnitIdentity[];
}

/**
 * A gateway config on a network descriptor of `orgs` (nothing in it is dialled or read beyond
 * names and roles), its database and keys in a fresh temp folder: a relative dbPath would be
 * resolved against the working directory and left there.
 */
function configOf(orgs: UnitOrg[], tenants: GatewayConfig['tenants']): GatewayConfig {
  const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-gw-unit-'));
  const descriptor = {
    channel: 'econfirm',
    chaincode: { name: 'econfirm', version: '1', sequence: 1, packageId: 'x' },
    orderers: [],
    orgs: orgs.map((org) => ({
      ...org,
      caCertPath: '/nonexistent',
      peers: [{ name: 'p', endpoint: '127.0.0.1:1', hostAlias: 'p', tlsRootCertPath: '/nonexistent', operationsUrl: '' }],
      identities: org.identities.map((identity) => ({ ...identity, certPath: '/nonexistent', keyPath: '/nonexistent' })),
    })),
  };
  writeFileSync(path.join(dir, 'network.json'), JSON.stringify(descriptor));
  return validateGatewayConfig({ dbPath: path.join(dir, 'gateway.db'), networkDescriptorPath: path.join(dir, 'network.json'), keysDir: path.join(dir, 'keys'), tenants });
}

/** Two orgs and a few identities, for unit tests that need tenants and credentials but no network. */
export function unitConfig(): GatewayConfig {
  return configOf(
    [
      { key: 'operator', mspId: 'OperatorMSP', kind: 'operator', identities: [{ name: 'client1', role: Role.ClientSigner, institution: 'CLIENT1' }, { name: 'registrar1', role: Role.Registrar, institution: 'MREG1' }] },
      { key: 'firm1', mspId: 'Firm1MSP', kind: 'firm', identities: [{ name: 'auditor1', role: Role.Auditor, institution: 'FIRM1' }, { name: 'auditor2', role: Role.Auditor, institution: 'FIRM1' }] },
    ],
    [
      { id: 'firm1', institutionId: 'FIRM1', orgKey: 'firm1' },
      { id: 'client1', institutionId: 'CLIENT1', orgKey: 'operator' },
    ],
  );
}

/** A tenant and identity of everyRoleConfig() for each role. */
export const EVERY_ROLE_IDENTITY: Readonly<Record<Role, { tenantId: string; identityName: string }>> = {
  [Role.Auditor]: { tenantId: 'firm1', identityName: 'auditor1' },
  [Role.ClientSigner]: { tenantId: 'client1', identityName: 'client1' },
  [Role.BankOfficer]: { tenantId: 'bank1', identityName: 'officer1' },
  [Role.BankReviewer]: { tenantId: 'bank1', identityName: 'reviewer1' },
  [Role.MortgageOfficer]: { tenantId: 'bank1', identityName: 'mortgage-officer1' },
  [Role.Registrar]: { tenantId: 'mreg1', identityName: 'registrar1' },
  [Role.RegistryReviewer]: { tenantId: 'mreg1', identityName: 'registry-reviewer1' },
  [Role.Regulator]: { tenantId: 'regulator', identityName: 'regulator1' },
  [Role.Admin]: { tenantId: 'operator', identityName: 'admin' },
};

/** The demo network's shape with one identity of every role (EVERY_ROLE_IDENTITY), for tests that call every route. */
export function everyRoleConfig(): GatewayConfig {
  return configOf(
    [
      {
        key: 'operator',
        mspId: 'OperatorMSP',
        kind: 'operator',
        identities: [
          { name: 'client1', role: Role.ClientSigner, institution: 'CLIENT1' },
          { name: 'registrar1', role: Role.Registrar, institution: 'MREG1' },
          { name: 'registry-reviewer1', role: Role.RegistryReviewer, institution: 'MREG1' },
          { name: 'admin', role: Role.Admin, institution: 'OPERATOR' },
        ],
      },
      { key: 'firm1', mspId: 'Firm1MSP', kind: 'firm', identities: [{ name: 'auditor1', role: Role.Auditor, institution: 'FIRM1' }] },
      {
        key: 'bank1',
        mspId: 'Bank1MSP',
        kind: 'bank',
        identities: [
          { name: 'officer1', role: Role.BankOfficer, institution: 'BANK1' },
          { name: 'reviewer1', role: Role.BankReviewer, institution: 'BANK1' },
          { name: 'mortgage-officer1', role: Role.MortgageOfficer, institution: 'BANK1' },
        ],
      },
      { key: 'regulator', mspId: 'RegulatorMSP', kind: 'regulator', identities: [{ name: 'regulator1', role: Role.Regulator, institution: 'REGULATOR' }] },
    ],
    [
      { id: 'firm1', institutionId: 'FIRM1', orgKey: 'firm1' },
      { id: 'client1', institutionId: 'CLIENT1', orgKey: 'operator' },
      { id: 'mreg1', institutionId: 'MREG1', orgKey: 'operator' },
      { id: 'operator', institutionId: 'OPERATOR', orgKey: 'operator' },
      { id: 'bank1', institutionId: 'BANK1', orgKey: 'bank1' },
      { id: 'regulator', institutionId: 'REGULATOR', orgKey: 'regulator' },
    ],
  );
}

/** An IdempotencyStore on a fresh in-memory database, sealing under a key in the unit config's own keysDir. */
export function unitIdempotencyStore(config: GatewayConfig = unitConfig()): IdempotencyStore {
  return new IdempotencyStore(openDatabase(':memory:'), config, new AtRestCipher(config.keysDir));
}
