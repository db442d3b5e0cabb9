import type { Institution, InstitutionInput, InstitutionKind, InstitutionUpdateInput, Page } from '@econfirm/common';
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

  /** UpdateInstitution (operator admin): names and registration id; an operator-hosted institution may move to an MSP of its own. */
  async update(input: InstitutionUpdateInput): Promise<Institution> {
    return parseJson<Institution>((await submitAndWait(this.contract, 'UpdateInstitution', { arguments: [JSON.stringify(input)] })).result);
  }

  async get(id: string): Promise<Institution> {
    return parseJson<Institution>(await evaluate(this.contract, 'GetInstitution', [id]));
  }

  async list(kind: InstitutionKind | '' = '', pageSize = 100, bookmark = ''): Promise<Page<Institution>> {
    return parseJson<Page<Institution>>(await evaluate(this.contract, 'ListInstitutions', [kind, String(pageSize), bookmark]));
  }
}
