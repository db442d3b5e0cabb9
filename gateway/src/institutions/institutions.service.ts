import { Injectable } from '@nestjs/common';
import { OPERATOR_MSP, Role, type Institution, type TransactionName } from '@econfirm/common';
import { ledgerCall, type LedgerCall } from '../fabric/ledger-call';
import { KeyStoreMismatchError } from '@econfirm/sdk';
import type { Principal } from '../auth/principal';
import { GatewayError } from '../errors/gateway-error';
import { TenantsService } from '../tenants/tenants.service';
import type { Executed } from '../transactions/executed';
import { TransactionExecutor } from '../transactions/transaction-executor.service';
import type { KeyRotationResultDto, ListInstitutionsQuery, RegisterInstitutionDto } from './dto/institution-inputs.dto';
import { RegistryReader } from './registry-reader.service';

/** How an institution whose gateway cannot submit registry writes rotates: stage here, the operator submits, finish here. */
export const ROTATE_WITH_OPERATOR =
  "RotateInstitutionKeys is a registry write, which the registry accepts only from the operator's admin (role admin, OperatorMSP), with the institution's consent (a JWS by its current signing key). " +
  'On the gateway: `econfirm-gateway-admin keys rotate --tenant <tenant> --stage-only` keeps new keys staged and prints their public halves and that consent; ' +
  'once the operator has submitted them, run `keys rotate --tenant <tenant>` again to make them current (old keys stay to open old content).';

export const INSTITUTION_KEYS_PRESENTER = 'institution-keys';

const registry = (transaction: TransactionName<'registry'>, ...args: string[]): LedgerCall => ledgerCall('registry', transaction, ...args);

/**
 * The registry routes' work: reads and registration through the TransactionExecutor, and the
 * rotation of the caller's own institution keys (the key store, the registry, the cache of
 * RegistryReader kept in step).
 */
@Injectable()
export class InstitutionsService {
  constructor(
    private readonly executor: TransactionExecutor,
    private readonly tenants: TenantsService,
    private readonly registryReader: RegistryReader,
  ) {}

  list(p: Principal, q: ListInstitutionsQuery): Promise<Executed> {
    return this.executor.evaluate(p, registry('ListInstitutions', q.kind ?? '', String(q.pageSize ?? 100), q.bookmark ?? ''));
  }

  get(p: Principal, id: string): Promise<Executed> {
    return this.executor.evaluate(p, registry('GetInstitution', id));
  }

  keys(p: Principal, id: string): Promise<Executed> {
    return this.executor.evaluate(p, registry('GetInstitution', id), { presenter: INSTITUTION_KEYS_PRESENTER });
  }

  history(p: Principal, id: string): Promise<Executed> {
    return this.executor.evaluate(p, registry('GetInstitutionHistory', id));
  }

  /** A new registry record (the chaincode lets only the operator's admin); the cached record, if any, is dropped. */
  async register(p: Principal, body: RegisterInstitutionDto): Promise<Executed> {
    try {
      return await this.executor.submit(p, registry('RegisterInstitution', JSON.stringify(body)), { successStatus: 201 });
    } finally {
      this.registryReader.invalidate(body.id);
    }
  }

  /**
   * Rotates the caller's own institution keys: new key pairs in the gateway's key store,
   * RotateInstitutionKeys submitted, old private keys kept (retired) so old content stays readable.
   */
  async rotateKeys(p: Principal, id: string): Promise<KeyRotationResultDto> {
    if (id !== p.institutionId) throw new GatewayError('FORBIDDEN', `a tenant rotates only its own institution's keys (${p.institutionId})`);
    if (p.role !== Role.Admin || p.mspId !== OPERATOR_MSP) {
      throw new GatewayError('FORBIDDEN', ROTATE_WITH_OPERATOR, { requires: { role: Role.Admin, mspId: OPERATOR_MSP }, caller: { role: p.role, mspId: p.mspId } });
    }
    if (p.custody === 'offline') throw new GatewayError('OFFLINE_SIGNING_REQUIRED', 'a key rotation is submitted by a custodial identity (the gateway must see the outcome to keep the keys consistent)');
    try {
      const outcome = await this.tenants.rotateInstitutionKeys(p.tenantId, {
        read: (institutionId) => this.registryReader.get(p, institutionId, { fresh: true }),
        rotate: async (institutionId, input, consent) => (await this.executor.submit(p, registry('RotateInstitutionKeys', institutionId, JSON.stringify(input), consent))).body as Institution,
      });
      const i = outcome.institution;
      return { institutionId: i.id, status: i.status, encryptionKey: i.encryptionKey, signingKey: i.signingKey, retiredKeys: i.retiredKeys, resumed: outcome.resumed };
    } catch (err) {
      if (err instanceof KeyStoreMismatchError) throw new GatewayError('KEY_STORE_MISMATCH', err.message);
      throw err;
    } finally {
      this.registryReader.invalidate(id);
    }
  }
}
