import { signers } from '@hyperledger/fabric-gateway';
import { common, gateway as gatewayProtos, msp, peer } from '@hyperledger/fabric-protos';
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ACT_TRANSACTION, isSealedStep, SealedTransient } from '@econfirm/common';

/**
 * Non-custodial signing that sees what it signs. A gateway serving an offline credential hands
 * over the unsigned Fabric messages (proposal, endorsed transaction, commit-status request); the
 * caller decodes them here, compares channel, chaincode, function, arguments and creator with
 * what it asked for, and signs the SHA-256 digest it computes itself from those bytes. A gateway
 * that swaps the transaction (another function, another request, another signer) gets no
 * signature, so nothing it built can reach the ledger (gateway/README.md, offline signing).
 */

/** An argument the caller expects: the exact string, or a check that names what is wrong (undefined = fine). */
export type ExpectedArgument = string | ((actual: string) => string | undefined);

/** What the caller asked for, in ledger terms. */
export interface ExpectedCall {
  channel: string;
  chaincode: string;
  /** The contract inside the chaincode ('confirmation', 'registry'). */
  contract: string;
  transaction: string;
  args: readonly ExpectedArgument[];
  /**
   * The proposal's transient map (endorsers see it, no block records it; e.g. a receivable
   * step's amount `openings`), entry by entry as the arguments are checked. A proposal carrying a
   * key not named here is refused: the signer sees all it signs.
   */
  transient?: Readonly<Record<string, ExpectedArgument>>;
  /** The caller's own identity: the proposal's creator must be exactly this. */
  creator: { mspId: string; certificatePem: string };
}

/** A decoded chaincode invocation: where it goes, what it calls, who signs it. */
export interface DecodedInvocation {
  transactionId: string;
  channel: string;
  chaincode: string;
  /** `contract:transaction`, as fabric-gateway names the function. */
  function: string;
  args: string[];
  /**
   * The transient map, values as UTF-8 text. Always empty in an endorsed transaction: Fabric
   * leaves the map out of the transaction it builds from the proposal (it reaches no block).
   */
  transient: Record<string, string>;
  creator: { mspId: string; certificatePem: string };
  /** SHA-256 of the bytes to sign, computed here (never taken from the gateway). */
  digest: Uint8Array;
}

export interface DecodedCommitStatusRequest {
  transactionId: string;
  channel: string;
  creator: { mspId: string; certificatePem: string };
  digest: Uint8Array;
}

/** The signing software refused: what the gateway asked to sign is not what the caller asked for. */
export class OfflineSigningRefusedError extends Error {
  override readonly name = 'OfflineSigningRefusedError';
  constructor(readonly problems: string[]) {
    super(`refusing to sign: ${problems.join('; ')}`);
  }
}

/** Bytes that do not decode as the Fabric message they claim to be. */
export class MalformedOfflineMessageError extends Error {
  override readonly name = 'MalformedOfflineMessageError';
}

const text = new TextDecoder('utf-8', { fatal: true });

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

function decoded<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw new MalformedOfflineMessageError(`${what} does not decode: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function identityOf(serialized: Uint8Array): { mspId: string; certificatePem: string } {
  const identity = decoded('the creator identity', () => msp.SerializedIdentity.deserializeBinary(serialized));
  return { mspId: identity.getMspid(), certificatePem: text.decode(identity.getIdBytes_asU8()) };
}

function invocationOf(proposalPayload: Uint8Array): { chaincode: string; function: string; args: string[]; transient: Record<string, string> } {
  const payload = decoded('the chaincode proposal payload', () => peer.ChaincodeProposalPayload.deserializeBinary(proposalPayload));
  const spec = decoded('the chaincode invocation', () => peer.ChaincodeInvocationSpec.deserializeBinary(payload.getInput_asU8())).getChaincodeSpec();
  const words = (spec?.getInput()?.getArgsList_asU8() ?? []).map((arg) => decoded('a chaincode argument', () => text.decode(arg)));
  const [fn, ...args] = words;
  const transient: Record<string, string> = {};
  for (const [key, value] of payload.getTransientmapMap().entries()) {
    transient[key] = typeof value === 'string' ? value : decoded(`transient entry '${key}'`, () => text.decode(value));
  }
  return { chaincode: spec?.getChaincodeId()?.getName() ?? '', function: fn ?? '', args, transient };
}

function headerOf(header: common.Header | undefined): { channelHeader: common.ChannelHeader; creator: { mspId: string; certificatePem: string }; nonce: Uint8Array; creatorBytes: Uint8Array } {
  if (!header) throw new MalformedOfflineMessageError('the message has no header');
  const channelHeader = decoded('the channel header', () => common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()));
  const signatureHeader = decoded('the signature header', () => common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8()));
  return { channelHeader, creator: identityOf(signatureHeader.getCreator_asU8()), nonce: signatureHeader.getNonce_asU8(), creatorBytes: signatureHeader.getCreator_asU8() };
}

/**
 * The unsigned proposal a gateway answers 202 with (fabric-gateway's ProposedTransaction bytes,
 * `Proposal.getBytes()`): the invocation, its creator, and the digest to sign (of the Proposal).
 */
export function decodeProposal(bytes: Uint8Array): DecodedInvocation {
  const proposed = decoded('the proposed transaction', () => gatewayProtos.ProposedTransaction.deserializeBinary(bytes));
  const proposalBytes = proposed.getProposal()?.getProposalBytes_asU8() ?? new Uint8Array();
  const proposal = decoded('the proposal', () => peer.Proposal.deserializeBinary(proposalBytes));
  const header = headerOf(decoded('the proposal header', () => common.Header.deserializeBinary(proposal.getHeader_asU8())));
  const extension = decoded('the chaincode header extension', () => peer.ChaincodeHeaderExtension.deserializeBinary(header.channelHeader.getExtension_asU8()));
  const invocation = invocationOf(proposal.getPayload_asU8());
  const transactionId = header.channelHeader.getTxId();
  // Fabric derives the id from nonce and creator; a gateway cannot pick one (to reuse a signature elsewhere).
  const derived = Buffer.from(sha256(Buffer.concat([header.nonce, header.creatorBytes]))).toString('hex');
  if (derived !== transactionId || proposed.getTransactionId() !== transactionId) {
    throw new MalformedOfflineMessageError(`the proposal's transaction id ${transactionId} is not derived from its nonce and creator`);
  }
  if (header.channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) throw new MalformedOfflineMessageError('the proposal is not an endorser transaction');
  const named = extension.getChaincodeId()?.getName() ?? '';
  if (named !== invocation.chaincode) throw new MalformedOfflineMessageError(`the proposal header names chaincode '${named}' but invokes '${invocation.chaincode}'`);
  return { transactionId, channel: header.channelHeader.getChannelId(), creator: header.creator, ...invocation, digest: sha256(proposalBytes) };
}

/**
 * The endorsed, unsigned transaction (fabric-gateway's PreparedTransaction bytes,
 * `Transaction.getBytes()`): the invocation it carries and the digest to sign (of the envelope
 * payload). Peers and orderers check that the endorsements are of exactly this invocation.
 */
export function decodeTransaction(bytes: Uint8Array): DecodedInvocation {
  const prepared = decoded('the prepared transaction', () => gatewayProtos.PreparedTransaction.deserializeBinary(bytes));
  const payloadBytes = prepared.getEnvelope()?.getPayload_asU8() ?? new Uint8Array();
  const payload = decoded('the transaction payload', () => common.Payload.deserializeBinary(payloadBytes));
  const header = headerOf(payload.getHeader());
  if (header.channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) throw new MalformedOfflineMessageError('the transaction is not an endorser transaction');
  const transaction = decoded('the transaction', () => peer.Transaction.deserializeBinary(payload.getData_asU8()));
  const actions = transaction.getActionsList();
  if (actions.length !== 1) throw new MalformedOfflineMessageError(`the transaction has ${actions.length} actions, expected 1`);
  const actionPayload = decoded('the chaincode action payload', () => peer.ChaincodeActionPayload.deserializeBinary((actions[0] as peer.TransactionAction).getPayload_asU8()));
  const invocation = invocationOf(actionPayload.getChaincodeProposalPayload_asU8());
  const response = decoded('the proposal response payload', () => peer.ProposalResponsePayload.deserializeBinary(actionPayload.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array()));
  const action = decoded('the chaincode action', () => peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8()));
  const endorsed = action.getChaincodeId()?.getName() ?? '';
  if (endorsed !== invocation.chaincode) throw new MalformedOfflineMessageError(`the endorsement is by chaincode '${endorsed}' but the transaction invokes '${invocation.chaincode}'`);
  const transactionId = header.channelHeader.getTxId();
  if (prepared.getTransactionId() !== transactionId) throw new MalformedOfflineMessageError('the prepared transaction names another transaction id than its envelope');
  return { transactionId, channel: header.channelHeader.getChannelId(), creator: header.creator, ...invocation, digest: sha256(payloadBytes) };
}

/** A commit-status request (gateway.CommitStatusRequest bytes): whose status, asked by whom. */
export function decodeCommitStatusRequest(bytes: Uint8Array): DecodedCommitStatusRequest {
  const request = decoded('the commit-status request', () => gatewayProtos.CommitStatusRequest.deserializeBinary(bytes));
  return { transactionId: request.getTransactionId(), channel: request.getChannelId(), creator: identityOf(request.getIdentity_asU8()), digest: sha256(bytes) };
}

function sameCertificate(a: string, b: string): boolean {
  try {
    return new X509Certificate(a).raw.equals(new X509Certificate(b).raw);
  } catch {
    return false;
  }
}

function creatorProblems(actual: { mspId: string; certificatePem: string }, expected: ExpectedCall['creator']): string[] {
  const problems: string[] = [];
  if (actual.mspId !== expected.mspId) problems.push(`creator MSP is ${actual.mspId}, expected ${expected.mspId}`);
  if (!sameCertificate(actual.certificatePem, expected.certificatePem)) problems.push('creator certificate is not the caller\'s own');
  return problems;
}

function expectedProblem(want: ExpectedArgument, got: string): string | undefined {
  return typeof want === 'string' ? (got === want ? undefined : `is ${JSON.stringify(got).slice(0, 120)}, expected ${JSON.stringify(want).slice(0, 120)}`) : want(got);
}

/**
 * The transient map against what was asked: every key asked for present and as asked, no other.
 * (Its values are never printed whole: they are openings, amounts in the clear.)
 */
function transientProblems(actual: Record<string, string>, expected: ExpectedCall['transient']): string[] {
  const problems: string[] = [];
  const asked = expected ?? {};
  for (const key of Object.keys(actual).sort()) {
    if (!(key in asked)) problems.push(`the proposal carries transient data '${key}' that was not asked for`);
  }
  for (const [key, want] of Object.entries(asked)) {
    const got = actual[key];
    if (got === undefined) problems.push(`transient data '${key}' is missing`);
    else {
      const problem = typeof want === 'string' ? (got === want ? undefined : 'differs from what was asked') : want(got);
      if (problem) problems.push(`transient data '${key}' ${problem}`);
    }
  }
  return problems;
}

/**
 * Every difference between a decoded invocation and what the caller asked (empty: sign it). An
 * endorsed transaction carries no transient map (Fabric strips it), so for one the map is not
 * compared (`{ transient: false }`): what it was is what the signed proposal held.
 */
export function invocationProblems(actual: DecodedInvocation, expected: ExpectedCall, options: { transient?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (actual.channel !== expected.channel) problems.push(`channel is '${actual.channel}', expected '${expected.channel}'`);
  if (actual.chaincode !== expected.chaincode) problems.push(`chaincode is '${actual.chaincode}', expected '${expected.chaincode}'`);
  const seen = isSealedStep(expected.contract, expected.transaction) ? unsealed(actual, expected, options.transient !== false, problems) : actual;
  const fn = `${expected.contract}:${expected.transaction}`;
  if (seen && seen.function !== fn) problems.push(`function is '${seen.function}', expected '${fn}'`);
  if (seen && seen.args.length !== expected.args.length) problems.push(`${seen.args.length} arguments, expected ${expected.args.length}`);
  expected.args.forEach((want, i) => {
    const got = seen?.args[i];
    if (got === undefined) return;
    const problem = expectedProblem(want, got);
    if (problem) problems.push(`argument ${i + 1} ${problem}`);
  });
  if (options.transient !== false) problems.push(...transientProblems(seen?.transient ?? {}, expected.transient));
  else if (Object.keys(actual.transient).length > 0) problems.push('the endorsed transaction carries a transient map (Fabric leaves it out of every transaction)');
  problems.push(...creatorProblems(actual.creator, expected.creator));
  return problems;
}

const ANSWER_SECRET_HEX = /^[0-9a-f]{64}$/;

/**
 * A sealed step (sealed-steps.ts) as the signer asked for it: the proposal is `<contract>:Act`
 * with no argument, the step's name and arguments in its transient `command`, the secret its
 * answer is sealed under beside it; what is compared is the step inside. The endorsed transaction
 * carries no transient map, so of it only `Act` with no argument is checked (undefined: nothing
 * more to compare) — its endorsements are of the signed proposal, whose step was compared.
 */
function unsealed(actual: DecodedInvocation, expected: ExpectedCall, withTransient: boolean, problems: string[]): Pick<DecodedInvocation, 'function' | 'args' | 'transient'> | undefined {
  const act = `${expected.contract}:${ACT_TRANSACTION}`;
  if (actual.function !== act || actual.args.length !== 0) {
    problems.push(`function is '${actual.function}' with ${actual.args.length} arguments, expected the sealed step ${act} with none`);
    return undefined;
  }
  if (!withTransient) return undefined;
  const { [SealedTransient.Command]: commandText, [SealedTransient.AnswerSecret]: secret, ...rest } = actual.transient;
  if (secret === undefined || !ANSWER_SECRET_HEX.test(secret)) problems.push(`transient data '${SealedTransient.AnswerSecret}' is not a 32-byte secret in hex`);
  let command: { transaction?: unknown; args?: unknown } | undefined;
  try {
    command = JSON.parse(commandText ?? '') as { transaction?: unknown; args?: unknown };
  } catch {
    command = undefined;
  }
  const args = command?.args;
  if (typeof command?.transaction !== 'string' || !Array.isArray(args) || args.some((a) => typeof a !== 'string') || Object.keys(command).length !== 2) {
    problems.push(`transient data '${SealedTransient.Command}' is not a sealed step`);
    return undefined;
  }
  return { function: `${expected.contract}:${command.transaction}`, args: args as string[], transient: rest };
}

/**
 * An argument that is a JSON object whose given members equal these (deep); other members are
 * the gateway's to fill (e.g. a letter it sealed) and are not compared.
 */
export function jsonArgumentWith(members: Record<string, unknown>): (actual: string) => string | undefined {
  return (actual) => {
    let value: unknown;
    try {
      value = JSON.parse(actual);
    } catch {
      return 'is not JSON';
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object';
    const wrong = Object.entries(members)
      .filter(([key, want]) => !isDeepStrictEqual((value as Record<string, unknown>)[key], want))
      .map(([key]) => key);
    return wrong.length ? `has other ${wrong.join(', ')} than asked` : undefined;
  };
}

/** Signs a SHA-256 digest with the caller's identity key (DER ECDSA), e.g. fabric-gateway's `signers.newPrivateKeySigner`. */
export type DigestSigner = (digest: Uint8Array) => Promise<Uint8Array>;

/** The identity's private key as a DigestSigner (fabric-gateway's: DER, low S, over the digest as given). */
export function privateKeyDigestSigner(key: KeyObject): DigestSigner {
  return signers.newPrivateKeySigner(key);
}

/** What a gateway answers 202 with for an offline credential. */
export interface OfflineProposalAnswer {
  transactionId: string;
  mode: 'submit' | 'evaluate';
  /** base64 ProposedTransaction bytes. */
  proposal: string;
}

/** What it answers after endorsement. */
export interface OfflineEndorsedAnswer {
  transactionId: string;
  /** base64 PreparedTransaction bytes. */
  transaction: string;
  /** base64 CommitStatusRequest bytes. */
  commitStatusRequest: string;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function refuseUnless(problems: string[]): void {
  if (problems.length > 0) throw new OfflineSigningRefusedError(problems);
}

/**
 * Step 1 (and reads): decode the proposal, compare it with the call asked for, sign its digest.
 * Returns the body for `POST /v1/transactions/{id}/endorsement` (or `…/evaluation`).
 */
export async function signOfflineProposal(answer: OfflineProposalAnswer, expected: ExpectedCall, sign: DigestSigner): Promise<{ signature: string }> {
  const proposal = decodeProposal(Buffer.from(answer.proposal, 'base64'));
  const problems = invocationProblems(proposal, expected);
  if (proposal.transactionId !== answer.transactionId) problems.push(`the proposal is transaction ${proposal.transactionId}, the answer names ${answer.transactionId}`);
  refuseUnless(problems);
  return { signature: base64(await sign(proposal.digest)) };
}

/**
 * Step 2: decode the endorsed transaction and the commit-status request, compare both with the
 * call asked for and with the transaction whose proposal was signed, sign both digests. Returns
 * the body for `POST /v1/transactions/{id}/submission`.
 */
export async function signOfflineTransaction(
  answer: OfflineEndorsedAnswer,
  expected: ExpectedCall,
  proposedTransactionId: string,
  sign: DigestSigner,
): Promise<{ signature: string; commitSignature: string }> {
  const transaction = decodeTransaction(Buffer.from(answer.transaction, 'base64'));
  const commit = decodeCommitStatusRequest(Buffer.from(answer.commitStatusRequest, 'base64'));
  const problems = invocationProblems(transaction, expected, { transient: false });
  if (transaction.transactionId !== proposedTransactionId) problems.push(`the transaction is ${transaction.transactionId}, the signed proposal was ${proposedTransactionId}`);
  if (commit.transactionId !== proposedTransactionId) problems.push(`the commit-status request asks about ${commit.transactionId}, not ${proposedTransactionId}`);
  if (commit.channel !== expected.channel) problems.push(`the commit-status request is for channel '${commit.channel}'`);
  problems.push(...creatorProblems(commit.creator, expected.creator).map((p) => `commit-status request: ${p}`));
  refuseUnless(problems);
  return { signature: base64(await sign(transaction.digest)), commitSignature: base64(await sign(commit.digest)) };
}
