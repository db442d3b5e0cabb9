import { Context } from 'fabric-contract-api';
import { isSealedStep, sealAnswer, type SealedContract } from '@econfirm/common';
import { forbidden } from '../auth/caller';
import { heldEvent, holdEvents } from '../events';
import { readSealedCommand } from '../models/sealed-command';
import { placement } from '../state/confirmation-placement';
import { publishHeldEvent } from '../state/sealed-events';

/**
 * `<contract>:Act` (common/src/domain/sealed-call.ts): runs the step the transient map names on
 * `contract` exactly as a call by its name would (the same checks and writes), holds its event
 * for the collection (state/sealed-events.ts) and answers the step's answer sealed to the caller.
 */
export async function actSealed(ctx: Context, contractName: SealedContract, contract: object): Promise<string> {
  const { command, answerSecret } = readSealedCommand(ctx, contractName);
  holdEvents(ctx);
  const step = (contract as Record<string, (ctx: Context, ...args: string[]) => Promise<string>>)[command.transaction];
  if (typeof step !== 'function') throw new Error(`${contractName} has no step ${command.transaction}`);
  const answer = await step.call(contract, ctx, ...command.args);
  await publishHeldEvent(ctx, heldEvent(ctx));
  return sealAnswer(answerSecret, ctx.stub.getTxID(), answer);
}

/**
 * Once the ledger is private, a step called by its own name would put its arguments, answer and
 * event in the block every member reads (chaincode/README.md, Need to know on the channel): it is
 * refused before it runs (a contract's `beforeTransaction`), and goes through `Act`.
 */
export async function refuseUnsealedStep(ctx: Context, contractName: SealedContract): Promise<void> {
  const fcn = ctx.stub.getFunctionAndParameters().fcn;
  const name = fcn.slice(fcn.indexOf(':') + 1);
  if (isSealedStep(contractName, name) && (await placement(ctx)).private) {
    throw forbidden(`${name} is a sealed step on this ledger: send it as ${contractName}:Act with the command in the transient map`);
  }
}
