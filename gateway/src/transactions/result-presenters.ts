import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { parseResult } from '../fabric/ledger-call';

/** Turns a chaincode result into what the caller is shown (e.g. a confirmation with its content decrypted). */
export type ResultPresenter = (principal: Principal, result: Uint8Array) => Promise<unknown>;


/** The default: the chaincode's JSON as it is (empty results as null). */
export const JSON_PRESENTER = 'json';

/**
 * Named presenters. Feature modules register theirs at start-up; an offline-signed transaction
 * stores the presenter's name, so its result is shown exactly as the custodial route shows it.
 */
@Injectable()
export class ResultPresenters {
  private readonly presenters = new Map<string, ResultPresenter>([
    [JSON_PRESENTER, (_principal, result) => Promise.resolve(result.length === 0 ? null : parseResult<unknown>(result))],
  ]);

  register(name: string, presenter: ResultPresenter): void {
    this.presenters.set(name, presenter);
  }

  present(name: string, principal: Principal, result: Uint8Array): Promise<unknown> {
    const presenter = this.presenters.get(name);
    if (!presenter) throw new Error(`no result presenter '${name}'`);
    return presenter(principal, result);
  }
}
