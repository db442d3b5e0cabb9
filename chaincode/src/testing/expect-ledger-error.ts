import { expect } from 'chai';
import { ErrorCode, parseLedgerError } from '@econfirm/common';

/** Awaits a transaction expected to fail with a wire-format ledger error of `code`. */
/** Returns the error's text (after "CODE: "). */
export async function expectLedgerError(promise: Promise<unknown>, code: ErrorCode, fragment?: string): Promise<string> {
  let failure: unknown;
  try {
    await promise;
  } catch (error) {
    failure = error;
  }
  expect(failure, `expected ${code}`).to.be.instanceOf(Error);
  const parsed = parseLedgerError((failure as Error).message);
  expect(parsed?.code, (failure as Error).message).to.equal(code);
  if (fragment) expect(parsed?.text).to.contain(fragment);
  return parsed?.text ?? '';
}

/**
 * Awaits a call by someone who is no party to confirmation `id`: refused exactly as if the id did
 * not exist, so a stranger cannot even learn that it is taken.
 */
export async function expectHidden(promise: Promise<unknown>, id: string): Promise<void> {
  const text = await expectLedgerError(promise, ErrorCode.NotFound);
  expect(text).to.equal(`confirmation ${id} does not exist`);
}
