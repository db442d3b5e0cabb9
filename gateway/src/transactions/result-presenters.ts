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

  /**
   * A ledger record's presenter and its page's (`{ records, bookmark, … }`, each record presented
   * the same way): the pair every ledger with sealed content registers (mortgages, receivables,
   * payment batches).
   */
  registerRecordAndPage<T>(recordName: string, pageName: string, present: (principal: Principal, record: T) => Promise<unknown>): void {
    this.register(recordName, (principal, bytes) => present(principal, parseResult<T>(bytes)));
    this.register(pageName, async (principal, bytes) => {
      const page = parseResult<{ records: T[] }>(bytes);
      return { ...page, records: await Promise.all(page.records.map((record) => present(principal, record))) };
    });
  }

  present(name: string, principal: Principal, result: Uint8Array): Promise<unknown> {
    const presenter = this.presenters.get(name);
    if (!presenter) throw new Error(`no result presenter '${name}'`);
    return presenter(principal, result);
  }
}
