import type { Institution, InstitutionInput, InstitutionKind, InstitutionUpdateInput, KeyRotationInput, Page } from '@econfirm/common';
import type { LedgerSession } from './connection';
import { evaluate, submitAndWait, type SubmitOutcome } from './submit';

const decoder = new TextDecoder();

function parseJson<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}

/** Typed calls to the chaincode's `registry` contract (the institution registry). */
export class RegistryClient {
  constructor(private readonly ledger: LedgerSession) {}

  private get contract() {
    return this.ledger.contract('registry');
  }

  async register(input: InstitutionInput): Promise<{ institution: Institution; commit: Omit<SubmitOutcome, 'result'> }> {
    const outcome = await submitAndWait(this.contract, 'RegisterInstitution', { arguments: [JSON.stringify(input)] });
    return { institution: parseJson<Institution>(outcome.result), commit: { transactionId: outcome.transactionId, blockNumber: outcome.blockNumber } };
  }

  /**
   * UpdateInstitution (operator admin): names and registration id; a change of `mspId` also needs
   * the institution's `consent` (signRegistryConsent over exactly `input`; '' when none).
   */
  async update(input: InstitutionUpdateInput, consent = ''): Promise<Institution> {
    return parseJson<Institution>((await submitAndWait(this.contract, 'UpdateInstitution', { arguments: [JSON.stringify(input), consent] })).result);
  }

  /**
   * RotateInstitutionKeys (operator admin) with the institution's `consent` (signRegistryConsent
   * over exactly `input`), or '' to use a regulator's recovery approval of exactly `input`.
   */
  async rotateKeys(id: string, input: KeyRotationInput, consent: string): Promise<Institution> {
    return parseJson<Institution>((await submitAndWait(this.contract, 'RotateInstitutionKeys', { arguments: [id, JSON.stringify(input), consent] })).result);
  }

  /** ApproveKeyRecovery (a regulator): lets the operator rotate an institution that lost its signing key to exactly `input`, once. */
  async approveKeyRecovery(id: string, input: KeyRotationInput): Promise<void> {
    await submitAndWait(this.contract, 'ApproveKeyRecovery', { arguments: [id, JSON.stringify(input)] });
  }

  async get(id: string): Promise<Institution> {
    return parseJson<Institution>(await evaluate(this.contract, 'GetInstitution', [id]));
  }

  async list(kind: InstitutionKind | '' = '', pageSize = 100, bookmark = ''): Promise<Page<Institution>> {
    return parseJson<Page<Institution>>(await evaluate(this.contract, 'ListInstitutions', [kind, String(pageSize), bookmark]));
  }
}
