import { Context } from 'fabric-contract-api';
import { ANSWER_SECRET_BYTES, sealedStepsOf, SealedTransient, type SealedCommand, type SealedContract, type SealedStep } from '@econfirm/common';
import { invalid, parseJsonArgument } from '../validation/field-reader';

const SECRET_HEX = new RegExp(`^[0-9a-f]{${ANSWER_SECRET_BYTES * 2}}$`);

/**
 * The step `confirmation:Act` runs, from the proposal's transient map (common/src/domain/sealed-call.ts):
 * `command` = `{ transaction, args }`, `answerSecret` = the caller's 32 bytes (hex) its answer is sealed
 * under. Refused as any argument is: INVALID_ARGUMENT naming the entry, nothing run.
 */
export function readSealedCommand(ctx: Context, contract: SealedContract): { command: SealedCommand; answerSecret: Uint8Array } {
  const transient = ctx.stub.getTransient();
  const commandBytes = transient.get(SealedTransient.Command);
  if (!commandBytes || commandBytes.length === 0) throw invalid(SealedTransient.Command, 'is missing from the transient map');
  const input = parseJsonArgument(Buffer.from(commandBytes).toString('utf8'), SealedTransient.Command).allowOnly(['transaction', 'args']);
  const steps = sealedStepsOf(contract);
  const transaction = input.oneOf('transaction', Object.keys(steps) as SealedStep[]);
  const raw = input.raw('args');
  const arity = steps[transaction] as number;
  if (!Array.isArray(raw) || raw.length !== arity || raw.some((arg) => typeof arg !== 'string')) {
    throw invalid(`${SealedTransient.Command}.args`, `${transaction} takes ${arity} string argument${arity === 1 ? '' : 's'}`);
  }
  // Hex text, not raw bytes: a signer decodes every transient entry as text to show it (clients/sdk offline-signing.ts).
  const secretHex = Buffer.from(transient.get(SealedTransient.AnswerSecret) ?? new Uint8Array()).toString('utf8');
  if (!SECRET_HEX.test(secretHex)) throw invalid(SealedTransient.AnswerSecret, `must be ${ANSWER_SECRET_BYTES} bytes as ${ANSWER_SECRET_BYTES * 2} lower-case hex digits in the transient map`);
  return { command: { transaction, args: raw as string[] }, answerSecret: Buffer.from(secretHex, 'hex') };
}
