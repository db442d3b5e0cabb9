import {
  CommitError,
  CommitStatusError,
  EndorseError,
  GatewayError,
  StatusCode,
  type Contract,
  type Network,
} from '@hyperledger/fabric-gateway';
import type { ContractName, TransactionName } from '@econfirm/common';
import { LedgerCallError, type LedgerCallPhase } from './ledger-call-error';
import { awaitReadPeer, platformTargets } from './platform-targets';
import { answerOf, defaultAnswerSecret, proposedCall } from './sealed-steps';

/** The system chaincodes econfirm reads, with the functions it calls (Fabric's qscc and _lifecycle). */
export const SYSTEM_TRANSACTIONS = {
  qscc: ['GetChainInfo', 'GetBlockByNumber', 'GetBlockByTxID', 'GetTransactionByID'],
  _lifecycle: ['QueryChaincodeDefinition'],
} as const;
export type SystemChaincodeName = keyof typeof SYSTEM_TRANSACTIONS;

export type SystemTransactionName<S extends SystemChaincodeName> = (typeof SYSTEM_TRANSACTIONS)[S][number];

/**
 * A contract as LedgerSession.contract(name) or systemContract() returns it: fabric-gateway's
 * Contract, marked with its name (a type only), so that evaluate and submitAndWait take only the
 * transactions listed for it — a misspelt or removed one does not compile.
 */
export type ContractOf<C extends ContractName | SystemChaincodeName> = Contract & { readonly econfirmContract?: C };

/** A system chaincode of the channel (qscc, _lifecycle), typed by its functions. */
export function systemContract<S extends SystemChaincodeName>(network: Network, name: S): ContractOf<S> {
  return network.getContract(name) as ContractOf<S>;
}

export interface SubmitOutcome {
  transactionId: string;
  blockNumber: bigint;
  result: Uint8Array;
}

export interface SubmitOptions {
  arguments?: Array<string | Uint8Array>;
  transientData?: Record<string, string | Uint8Array>;
  /**
   * The orgs whose peers endorse, instead of the plan the gateway derives. A platform contract's
   * calls go to the collection's members without it (platform-targets.ts).
   */
  endorsingOrganizations?: readonly string[];
  /** Attempts when the commit is invalidated by a read conflict; contract errors never retry. */
  maxAttempts?: number;
  /**
   * Called with each transaction's id once it is endorsed, just before it is sent to ordering:
   * from then on it may commit whatever the caller is told — also when the submit itself fails,
   * since a BFT orderer that already holds the transaction answers "request already processed"
   * and the peer gateway reports UNAVAILABLE for a transaction that commits
   * (hyperledger/fabric#4415), and a gateway peer can die after forwarding it. The gateway
   * records the id, so that a retry finds the commit instead of acting twice.
   */
  onSubmitted?: (transactionId: string) => void;
  /**
   * The secret a sealed step's answer is sealed under (sealed-steps.ts; 32 bytes). A caller that
   * must open the answer later from the block (the gateway, after a crash) keeps its own; by
   * default this process's.
   */
  answerSecret?: Uint8Array;
}

/**
 * Right after peers (re)start, gossip has not yet told the gateway which peers can endorse: it
 * answers "no combination of peers can be derived" for a few seconds. That is waited out
 * (bounded); every other endorsement failure is final.
 */
const PEERS_NOT_YET_DISCOVERED = /no combination of peers can be derived|no peers available/i;
const DISCOVERY_WAIT_MS = 30_000;
const DISCOVERY_POLL_MS = 500;

function awaitingDiscovery(err: unknown): boolean {
  return err instanceof GatewayError && PEERS_NOT_YET_DISCOVERED.test([err.message, ...err.details.map((d) => d.message)].join(' '));
}

/** Validation codes after which a fresh transaction may succeed: another tx changed what we read. */
const RETRYABLE_COMMIT_CODES: ReadonlySet<number> = new Set([StatusCode.MVCC_READ_CONFLICT, StatusCode.PHANTOM_READ_CONFLICT]);

/**
 * Endorse, submit and wait for the commit, the way every write in econfirm goes:
 * endorse → (onSubmitted) → submit → commit status; a read conflict is retried with a new transaction
 * (new id, re-endorsed against fresh state); any other failure becomes a LedgerCallError.
 */
export async function submitAndWait<C extends ContractName>(contract: ContractOf<C>, transactionName: TransactionName<C>, options: SubmitOptions = {}): Promise<SubmitOutcome> {
  const maxAttempts = options.maxAttempts ?? 3;
  const platform = platformTargets(contract);
  const endorsingOrganizations = options.endorsingOrganizations ?? platform?.endorse;
  const discoveryDeadline = Date.now() + DISCOVERY_WAIT_MS;
  const answerSecret = options.answerSecret ?? defaultAnswerSecret();
  const call = proposedCall(contract.getContractName() ?? '', transactionName, options.arguments ?? [], options.transientData, answerSecret);
  for (let attempt = 1; ; attempt++) {
    try {
      // submitAsync's three steps, so that the id is known between endorsement and ordering.
      const endorsed = await contract
        .newProposal(call.transaction, {
          arguments: call.arguments,
          transientData: call.transientData,
          ...(endorsingOrganizations ? { endorsingOrganizations: [...endorsingOrganizations] } : {}),
        })
        .endorse();
      options.onSubmitted?.(endorsed.getTransactionId());
      const submitted = await endorsed.submit();
      const status = await submitted.getStatus();
      if (!status.successful) {
        throw new CommitError({ code: status.code, transactionId: status.transactionId });
      }
      if (platform) await awaitReadPeer(platform, status.blockNumber);
      const result = answerOf(contract.getContractName() ?? '', transactionName, status.transactionId, submitted.getResult(), answerSecret);
      return { transactionId: status.transactionId, blockNumber: status.blockNumber, result };
    } catch (err) {
      if (err instanceof CommitError && RETRYABLE_COMMIT_CODES.has(err.code) && attempt < maxAttempts) {
        continue;
      }
      if (awaitingDiscovery(err) && Date.now() < discoveryDeadline) {
        attempt--;
        await new Promise((resolve) => setTimeout(resolve, DISCOVERY_POLL_MS));
        continue;
      }
      throw toLedgerCallError(err, transactionName);
    }
  }
}

/** Evaluate (query) a transaction on one peer (a platform contract's on its read org's); errors mapped like submits. */
export async function evaluate<C extends ContractName>(contract: ContractOf<C>, transactionName: TransactionName<C>, args?: Array<string | Uint8Array>): Promise<Uint8Array>;
export async function evaluate<S extends SystemChaincodeName>(contract: ContractOf<S>, transactionName: SystemTransactionName<S>, args?: Array<string | Uint8Array>): Promise<Uint8Array>;
export async function evaluate(contract: Contract, transactionName: string, args: Array<string | Uint8Array> = []): Promise<Uint8Array> {
  try {
    const platform = platformTargets(contract);
    return await contract.evaluate(transactionName, { arguments: args, ...(platform ? { endorsingOrganizations: [...platform.read] } : {}) });
  } catch (err) {
    throw toLedgerCallError(err, transactionName);
  }
}

export function toLedgerCallError(err: unknown, transactionName: string): LedgerCallError {
  if (err instanceof LedgerCallError) {
    return err;
  }
  if (err instanceof CommitError) {
    return LedgerCallError.fromCommit(transactionName, err.transactionId, err.code);
  }
  if (err instanceof GatewayError) {
    const phase: LedgerCallPhase =
      err instanceof EndorseError ? 'endorse' : err instanceof CommitStatusError ? 'commit-status' : err.name === 'SubmitError' ? 'submit' : 'evaluate';
    const transactionId = 'transactionId' in err ? String((err as { transactionId: unknown }).transactionId) : undefined;
    return LedgerCallError.fromGateway(transactionName, phase, err.code, err.message, err.details.map((d) => d.message), transactionId);
  }
  return LedgerCallError.unexpected(transactionName, err);
}
