import { ConfirmationState, Role, type ContractName } from '@econfirm/common';
import { withPlatformTargets } from '@econfirm/sdk';
import { common } from '@hyperledger/fabric-protos';
import type { Contract, Network } from '@hyperledger/fabric-gateway';
import { expect } from 'chai';
import type { Principal } from '../auth/principal';
import { GatewayError } from '../errors/gateway-error';
import type { LedgerCall } from '../fabric/ledger-call';
import type { LedgerService } from '../fabric/ledger.service';
import type { Tenant, TenantsService } from '../tenants/tenants.service';
import type { LedgerEvent } from './event-model';
import { EventRouter } from './event-router.service';

/**
 * The ledger as it stands after the client's authorization committed: the bank reads request R
 * (it is its responder now), the firm and the client always could, the other bank never. The
 * router is asked about events of earlier blocks — as it is when it lags behind the chain.
 */
const REQUEST = { id: 'CF-R-0001', firmId: 'FIRM1', clientId: 'CLIENT1', responderId: 'BANK1' };

const tenant = (id: string, institutionId: string, orgKey: string): Tenant => ({ id, institutionId, orgKey, mspId: `${orgKey}MSP`, gatewayOrgKey: orgKey });
const TENANTS = [tenant('firm1', 'FIRM1', 'firm'), tenant('client1', 'CLIENT1', 'client'), tenant('bank1', 'BANK1', 'bank'), tenant('bank2', 'BANK2', 'bank')];
const ROLE: Record<string, Role> = { FIRM1: Role.Auditor, CLIENT1: Role.ClientSigner, BANK1: Role.BankOfficer, BANK2: Role.BankOfficer };

function fakeTenants(): TenantsService {
  const orgs = ['firm', 'client', 'bank'].map((key) => ({
    key,
    identities: TENANTS.filter((t) => t.orgKey === key).map((t) => ({ name: `${t.id}-reader`, institution: t.institutionId, role: ROLE[t.institutionId] as string })),
  }));
  return { list: () => TENANTS, descriptor: { orgs } } as unknown as TenantsService;
}

/** A peer far past every event's block, answering GetConfirmation as the chaincode does today. */
function fakeLedger(): LedgerService {
  const info = new common.BlockchainInfo();
  info.setHeight(1000);
  const height = info.serializeBinary();
  const network = { getName: () => 'econfirm', getContract: () => ({ evaluate: async () => height }) } as unknown as Network;
  return {
    network: () => network,
    // The platform's read peer (clients/sdk platform-targets.ts) is the same far-ahead peer here.
    session: (reader: Principal) => ({ contract: (name: ContractName) => withPlatformTargets({} as Contract, name, reader.mspId, network) }),
    evaluate: async (reader: Principal, call: LedgerCall) => {
      if (call.transaction !== 'GetConfirmation' || call.args[0] !== REQUEST.id) throw new Error(`unexpected call ${call.transaction}`);
      if (![REQUEST.firmId, REQUEST.clientId, REQUEST.responderId].includes(reader.institutionId)) throw new GatewayError('NOT_FOUND', `confirmation ${REQUEST.id} does not exist`);
      return Buffer.from(JSON.stringify({ ...REQUEST, state: ConfirmationState.Authorized, sentAt: '2026-12-01T10:00:00.000Z' }));
    },
  } as unknown as LedgerService;
}

const event = (type: LedgerEvent['type'], state: string, blockNumber: bigint): LedgerEvent => ({ type, blockNumber, transactionId: 'ab'.repeat(32), data: { ids: [REQUEST.id], state } });

describe('EventRouter: a confirmation event goes to the parties of the request as the event recorded it', function () {
  const router = new EventRouter(fakeLedger(), fakeTenants());
  const tenantsOf = async (e: LedgerEvent) => (await router.route(e)).map((d) => d.tenantId);

  it('an issuance routed after the authorization committed reaches the firm and the client, not the bank that was no party yet (CI: the bank stream began with "issued")', async function () {
    expect(await tenantsOf(event('ConfirmationChanged', ConfirmationState.Issued, 10n))).to.deep.equal(['firm1', 'client1']);
    expect(await tenantsOf(event('ConfirmationsIssued', ConfirmationState.Issued, 10n))).to.deep.equal(['firm1', 'client1']);
  });

  it('the authorization and what follows reach the bank too; another bank never', async function () {
    expect(await tenantsOf(event('ConfirmationChanged', ConfirmationState.Authorized, 11n))).to.deep.equal(['firm1', 'client1', 'bank1']);
    expect(await tenantsOf(event('ConfirmationChanged', ConfirmationState.Replied, 12n))).to.deep.equal(['firm1', 'client1', 'bank1']);
  });
});
