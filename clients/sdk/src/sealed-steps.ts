import { randomBytes } from 'node:crypto';
import { ACT_TRANSACTION, ANSWER_SECRET_BYTES, isSealedStep, openAnswer, SealedTransient, type SealedCommand } from '@econfirm/common';

/**
 * How a client sends a sealed step (common/src/domain/sealed-call.ts; chaincode/README.md, Need to
 * know on the channel): a confirmation step is proposed as `confirmation:Act` with no argument,
 * the step and its arguments in the transient map, and the answer comes back sealed under the
 * caller's secret. Every submit goes through here (submit.ts, and the gateway's offline proposals),
 * so no caller can put a step's ids into a block by calling it by name.
 */

/** This process's answer secret, for callers that keep none of their own (a gateway keeps one per credential). */
const PROCESS_SECRET = randomBytes(ANSWER_SECRET_BYTES);

export function defaultAnswerSecret(): Uint8Array {
  return PROCESS_SECRET;
}

export interface ProposedCall {
  transaction: string;
  arguments: Array<string | Uint8Array>;
  transientData?: Record<string, string | Uint8Array>;
}

/**
 * The proposal that carries `transaction(args)` of `contract`: the same call, or for a sealed
 * step `Act` with the command and the answer secret (hex) in the transient map. A step's own
 * transient entries (none today) would travel beside them.
 */
export function proposedCall(contract: string, transaction: string, args: ReadonlyArray<string | Uint8Array>, transientData: Record<string, string | Uint8Array> | undefined, answerSecret: Uint8Array): ProposedCall {
  if (!isSealedStep(contract, transaction)) return { transaction, arguments: [...args], ...(transientData ? { transientData } : {}) };
  const command: SealedCommand = { transaction, args: args.map((arg) => (typeof arg === 'string' ? arg : Buffer.from(arg).toString('utf8'))) };
  return {
    transaction: ACT_TRANSACTION,
    arguments: [],
    transientData: { ...transientData, [SealedTransient.Command]: JSON.stringify(command), [SealedTransient.AnswerSecret]: Buffer.from(answerSecret).toString('hex') },
  };
}

/** The answer of `transaction` as the chaincode meant it: a sealed step's opened with the secret it was sealed under. */
export function answerOf(contract: string, transaction: string, transactionId: string, result: Uint8Array, answerSecret: Uint8Array): Uint8Array {
  if (!isSealedStep(contract, transaction)) return result;
  return Buffer.from(openAnswer(answerSecret, transactionId, result), 'utf8');
}
