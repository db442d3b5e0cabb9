import { MortgageState, MortgageType, type Institution, type MortgageView } from '@econfirm/common';
import { newInstitutionKeys, publicJwk, seal, type InstitutionPrivateKeys } from '@econfirm/sdk';
import { expect } from 'chai';
import type { JsonWebKey } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { ConfirmationContentService } from '../confirmations/confirmation-content.service';
import { GatewayError } from '../errors/gateway-error';
import type { LedgerCall } from '../fabric/ledger-call';
import type { RegistryReader } from '../institutions/registry-reader.service';
import type { TenantsService } from '../tenants/tenants.service';
import type { ResultPresenters } from '../transactions/result-presenters';
import { Executed } from '../transactions/executed';
import type { TransactionExecutor } from '../transactions/transaction-executor.service';
import { MortgagesService } from './mortgages.service';

// The change and transfer routes open the application with this gateway's key of the registry
// before they re-seal it (mortgages.service.ts openedRecord): without the key, or with a key the
// application is not addressed to, they refuse before anything reaches the ledger.
const keys: Record<string, InstitutionPrivateKeys> = {
  BANK1: newInstitutionKeys('BANK1'), MREG1: newInstitutionKeys('MREG1'), CLIENT1: newInstitutionKeys('CLIENT1'), SUP2: newInstitutionKeys('SUP2'),
};

function institution(id: string): Institution {
  const k = keys[id] as InstitutionPrivateKeys;
  const record = (kid: string, jwk: JsonWebKey, use: 'enc' | 'sig') => ({ kid, use, alg: use === 'enc' ? 'ECDH-ES+A256KW' : 'ES256', jwk: publicJwk(jwk), activatedAt: '2026-01-01T00:00:00Z' });
  return {
    docType: 'institution', id, kind: id === 'MREG1' ? 'mortgage-registry' : 'client', mspId: 'X', nameZh: id, nameEn: id, registrationId: id, status: 'active',
    encryptionKey: record(k.encryption.kid, k.encryption.jwk, 'enc'), signingKey: record(k.signing.kid, k.signing.jwk, 'sig'),
    retiredKeys: [], registeredAt: '', updatedAt: '',
  } as Institution;
}

const registrar: Principal = {
  tenantId: 'mreg1', institutionId: 'MREG1', orgKey: 'mreg1', identityName: 'registrar1', mspId: 'OperatorMSP', role: 'registrar', credentialId: 'c', custody: 'custodial',
};

const opened = { unitNumber: '310115 001002 GB00091 F00020101', location: 'x', mortgagors: [{ name: 'CLIENT1 Ltd', institutionId: 'CLIENT1' }], currency: 'CNY', securedPrincipal: '5000000.00' };

async function recordSealedTo(recipients: string[]): Promise<MortgageView> {
  const application = await seal(opened, recipients.map(institution).map((i) => ({ kid: i.encryptionKey.kid, jwk: i.encryptionKey.jwk })));
  return {
    id: 'MTG-1', registryId: 'MREG1', mortgageeId: 'BANK1', mortgagorIds: ['CLIENT1'], state: MortgageState.Registered, mortgageType: MortgageType.Ordinary,
    debtTermStart: '2026-01-01', debtTermEnd: '2031-01-01', application,
  } as unknown as MortgageView;
}

/** The service over an executor that answers GetMortgage with `record` and counts what would be submitted. */
function serviceOver(record: MortgageView, gatewayHoldsRegistryKeys: boolean): { service: MortgagesService; submitted: LedgerCall[] } {
  const submitted: LedgerCall[] = [];
  const executor = {
    readAsTenant: () => Promise.resolve(new TextEncoder().encode(JSON.stringify(record))),
    submit: (_p: Principal, ledgerCall: LedgerCall) => {
      submitted.push(ledgerCall);
      return Promise.resolve(new Executed(201, {}));
    },
  } as unknown as TransactionExecutor;
  const tenants = { institutionKeys: (tenantId: string) => (gatewayHoldsRegistryKeys && tenantId === 'mreg1' ? keys.MREG1 : undefined) } as unknown as TenantsService;
  const registry = { get: (_p: Principal, id: string) => Promise.resolve(institution(id)) } as unknown as RegistryReader;
  const service = new MortgagesService(executor, {} as ResultPresenters, new ConfirmationContentService(tenants, registry), registry, tenants);
  return { service, submitted };
}

async function refusal(action: Promise<unknown>): Promise<GatewayError> {
  const outcome = await action.then(() => undefined, (err: unknown) => err);
  expect(outcome, 'the route was refused').to.be.instanceOf(GatewayError);
  return outcome as GatewayError;
}

describe('mortgage change and transfer: the registry key at the edge', function () {
  const change = { securedPrincipal: '6500000.00' };
  const transfer = { mortgagors: [{ name: 'SUP2 Ltd', institutionId: 'SUP2' }] };

  it('prepares a change and a transfer when this gateway holds the key the application is sealed to', async function () {
    const { service, submitted } = serviceOver(await recordSealedTo(['BANK1', 'MREG1', 'CLIENT1']), true);
    await service.change(registrar, 'MTG-1', change);
    await service.transfer(registrar, 'MTG-1', transfer);
    expect(submitted.map((c) => c.transaction)).to.deep.equal(['ChangeMortgage', 'TransferMortgage']);
  });

  it('refuses both with 409 NO_INSTITUTION_KEYS when this gateway holds no key of the registry, submitting nothing', async function () {
    const { service, submitted } = serviceOver(await recordSealedTo(['BANK1', 'MREG1', 'CLIENT1']), false);
    const changed = await refusal(service.change(registrar, 'MTG-1', change));
    expect(changed.code).to.equal('NO_INSTITUTION_KEYS');
    expect(changed.httpStatus).to.equal(409);
    expect((await refusal(service.transfer(registrar, 'MTG-1', transfer))).code).to.equal('NO_INSTITUTION_KEYS');
    expect(submitted).to.deep.equal([]);
  });

  it('refuses both with 403 CONTENT_NOT_READABLE when the application is not sealed to the registry, submitting nothing', async function () {
    const { service, submitted } = serviceOver(await recordSealedTo(['BANK1', 'CLIENT1']), true);
    const changed = await refusal(service.change(registrar, 'MTG-1', change));
    expect(changed.code).to.equal('CONTENT_NOT_READABLE');
    expect(changed.httpStatus).to.equal(403);
    expect((await refusal(service.transfer(registrar, 'MTG-1', transfer))).code).to.equal('CONTENT_NOT_READABLE');
    expect(submitted).to.deep.equal([]);
  });
});
