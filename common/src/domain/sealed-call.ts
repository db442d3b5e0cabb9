import type { ContractName, TransactionName } from './contracts';

/**
 * The confirmation steps that are sent sealed (chaincode/README.md, Need to know on the channel,
 * step 5): every member reads every block, and a proposal's function and arguments, the
 * chaincode's answer and its event are in the block. So a step is not called by its name: the
 * one transaction `confirmation:Act` takes no argument, and the step — its name and arguments —
 * travels in the proposal's transient map (`command`), which endorsers see and no block records.
 * The answer is sealed to the caller (crypto/sealed-answer.ts), the event says only that a
 * confirmation changed. Each step, per contract, with the number of arguments it takes after the
 * context.
 */
export const SEALED_STEPS = {
  confirmation: {
    Issue: 1,
    IssueBatch: 1,
    Resend: 1,
    Recall: 2,
    ClientAuthorize: 2,
    ClientRefuse: 2,
    BankAccept: 1,
    BankReturn: 3,
    PrepareReply: 2,
    ApproveReply: 1,
    RejectReply: 2,
    AuditorAccept: 2,
    RecordAlternativeProcedure: 2,
  },
  // The firm's cross-check summary names the request it checked.
  crosscheck: {
    RecordCrossCheck: 1,
  },
} as const satisfies { [C in ContractName]?: Partial<Record<TransactionName<C>, number>> };
export type SealedContract = keyof typeof SEALED_STEPS;
export type SealedStep = { [C in SealedContract]: keyof (typeof SEALED_STEPS)[C] }[SealedContract];

/** The steps of `contract` a client must send sealed, with their arity (none: an empty table). */
export function sealedStepsOf(contract: string): Readonly<Record<string, number>> {
  return Object.prototype.hasOwnProperty.call(SEALED_STEPS, contract) ? SEALED_STEPS[contract as SealedContract] : {};
}

/** The one transaction a sealed step is sent as. */
export const ACT_TRANSACTION = 'Act';

/** Transient map keys of a sealed step: the command (JSON), and the caller's secret its answer is sealed under (32 bytes as 64 hex digits). */
export const SealedTransient = {
  Command: 'command',
  AnswerSecret: 'answerSecret',
} as const;

/** The step inside `Act`'s transient map. */
export interface SealedCommand {
  transaction: SealedStep;
  args: string[];
}

export function isSealedStep(contract: string, transaction: string): transaction is SealedStep {
  return Object.prototype.hasOwnProperty.call(sealedStepsOf(contract), transaction);
}
