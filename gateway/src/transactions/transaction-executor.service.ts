import { Inject, Injectable } from '@nestjs/common';
import { CommitError, type Network } from '@hyperledger/fabric-gateway';
import { gateway as gatewayProtos, msp } from '@hyperledger/fabric-protos';
import { answerOf, awaitReadPeer, findIdentity, platformTargets, proposedCall, type LedgerSession } from '@econfirm/sdk';
import { readFileSync } from 'node:fs';
import { CredentialsStore } from '../auth/credentials.store';
import type { Principal } from '../auth/principal';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { GatewayError } from '../errors/gateway-error';
import { mapFabricError } from '../fabric/fabric-error.mapper';
import { callName, type LedgerCall } from '../fabric/ledger-call';
import { LedgerService } from '../fabric/ledger.service';
import { MetricsService } from '../metrics/metrics.service';
import { TenantsService } from '../tenants/tenants.service';
import { MalformedDerSignatureError, toLowS } from './ecdsa-low-s';
import { PendingTransactionsStore, type PendingMode, type PendingTransaction } from './pending-transactions.store';
import { JSON_PRESENTER, ResultPresenters } from './result-presenters';
import { Executed } from './executed';

export interface ExecuteOptions {
  /** Name of the ResultPresenter that renders the chaincode result (default: its JSON). */
  presenter?: string;
  /** Status of a successful answer (201 for creations). */
  successStatus?: number;
}

/**
 * What an offline caller receives instead of a result: the unsigned proposal itself and where to
 * send its signature. Never a bare digest: the caller decodes the bytes, checks them against what
 * it asked and hashes them itself (sdk offline-signing.ts), so a gateway cannot have it sign
 * another transaction.
 */
export interface PendingAnswer {
  transactionId: string;
  mode: PendingMode;
  stage: 'proposed';
  /** Base64 of the unsigned proposal (fabric-gateway ProposedTransaction bytes); sign SHA-256 of its Proposal. */
  proposal: string;
  expiresAt: string;
  next: string;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/**
 * A commit-status request as fabric-gateway builds it (channel, transaction id, the asker's
 * serialized identity), unsigned: built here so its digest can be handed to an offline caller.
 */
function commitStatusRequest(mspId: string, certificate: Uint8Array, channel: string, transactionId: string): gatewayProtos.SignedCommitStatusRequest {
  const creator = new msp.SerializedIdentity();
  creator.setMspid(mspId);
  creator.setIdBytes(certificate);
  const request = new gatewayProtos.CommitStatusRequest();
  request.setChannelId(channel);
  request.setTransactionId(transactionId);
  request.setIdentity(creator.serializeBinary());
  const signed = new gatewayProtos.SignedCommitStatusRequest();
  signed.setRequest(request.serializeBinary());
  return signed;
}

/** The caller's base64 DER signature, normalized to the low S Fabric requires (ecdsa-low-s.ts). */
async function signatureBytes(signature: string): Promise<Uint8Array> {
  try {
    return await toLowS(Buffer.from(signature, 'base64'));
  } catch (err) {
    if (err instanceof MalformedDerSignatureError) throw new GatewayError('INVALID_SIGNATURE', `signature must be a base64 DER ECDSA P-256 signature (${err.message})`);
    throw err;
  }
}

/**
 * Runs a ledger call for a principal. Custodial identities: submitted (or evaluated) right away,
 * committed before the answer. Offline identities: an unsigned proposal is stored and answered
 * 202 with its digest; the caller's signatures then drive endorse → submit → commit status
 * (fabric-gateway's offline flow), and the final answer is rendered by the same presenter.
 */
@Injectable()
export class TransactionExecutor {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly ledger: LedgerService,
    private readonly credentials: CredentialsStore,
    private readonly pending: PendingTransactionsStore,
    private readonly presenters: ResultPresenters,
    private readonly metrics: MetricsService,
    private readonly tenants: TenantsService,
  ) {}

  async submit(principal: Principal, call: LedgerCall, options: ExecuteOptions = {}): Promise<Executed> {
    const presenter = options.presenter ?? JSON_PRESENTER;
    if (principal.custody === 'offline') return this.propose(principal, call, 'submit', presenter, options.successStatus ?? 200);
    const outcome = await this.ledger.submit(principal, call);
    return new Executed(options.successStatus ?? 200, await this.presenters.present(presenter, principal, outcome.result));
  }

  async evaluate(principal: Principal, call: LedgerCall, options: ExecuteOptions = {}): Promise<Executed> {
    const presenter = options.presenter ?? JSON_PRESENTER;
    if (principal.custody === 'offline') return this.propose(principal, call, 'evaluate', presenter, 200);
    return new Executed(200, await this.presenters.present(presenter, principal, await this.ledger.evaluate(principal, call)));
  }

  /**
   * A read the gateway makes for its own work (registry keys, the letter a reply answers): as the
   * principal when the gateway holds its key, else as a custodial identity of the same tenant —
   * never as another tenant.
   */
  async readAsTenant(principal: Principal, call: LedgerCall): Promise<Uint8Array> {
    return this.ledger.evaluate(this.tenantReader(principal), call);
  }

  /** The channel as the identity readAsTenant reads with (qscc reads for the gateway's own work, e.g. a cross-check's block height). */
  tenantNetwork(principal: Principal): { network: Network; reader: Principal } {
    const reader = this.tenantReader(principal);
    return { network: this.ledger.network(reader), reader };
  }

  private tenantReader(principal: Principal): Principal {
    if (principal.custody === 'custodial') return principal;
    const reader = this.credentials.listForTenant(principal.tenantId).find((c) => c.custody === 'custodial' && !c.revokedAt);
    if (!reader) {
      throw new GatewayError('OFFLINE_READ_UNAVAILABLE', `tenant ${principal.tenantId} has no custodial identity for the gateway's own reads; use the offline evaluation flow`);
    }
    return this.credentials.principalOf(reader);
  }

  private propose(principal: Principal, call: LedgerCall, mode: PendingMode, presenter: string, successStatus: number): Executed {
    // The transient map (a step's amount openings) goes into the proposal the caller signs and
    // sees (sdk decodeProposal); until then the store keeps it sealed (pending-transactions.store.ts).
    // A platform contract's proposal names its peers (clients/sdk/src/platform-targets.ts): they
    // travel in the proposal bytes, so the signed proposal goes to them too.
    const contract = this.ledger.session(principal).contract(call.contract);
    const platform = platformTargets(contract);
    const targets = platform ? (mode === 'evaluate' ? platform.read : platform.endorse) : undefined;
    // A sealed step is proposed as Act, the step in the transient map (clients/sdk sealed-steps.ts):
    // the signer checks the step inside (sdk invocationProblems).
    const proposed = proposedCall(call.contract, call.transaction, call.args, call.transient, this.ledger.answerSecret(principal));
    const proposal = contract.newProposal(proposed.transaction, {
      arguments: proposed.arguments,
      ...(proposed.transientData ? { transientData: proposed.transientData } : {}),
      ...(targets ? { endorsingOrganizations: [...targets] } : {}),
    });
    const now = Date.now();
    const record: PendingTransaction = {
      transactionId: proposal.getTransactionId(),
      tenantId: principal.tenantId,
      credentialId: principal.credentialId,
      mode,
      call,
      presenter,
      successStatus,
      stage: 'proposed',
      proposalBytes: proposal.getBytes(),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.config.limits.offlineProposalMinutes * 60_000).toISOString(),
    };
    this.pending.insert(record);
    this.metrics.ledgerCalls.inc({ kind: 'offline', transaction: callName(call), outcome: 'PROPOSED' });
    const body: PendingAnswer = {
      transactionId: record.transactionId,
      mode,
      stage: 'proposed',
      proposal: base64(proposal.getBytes()),
      expiresAt: record.expiresAt,
      next: `/v1/transactions/${record.transactionId}/${mode === 'submit' ? 'endorsement' : 'evaluation'}`,
    };
    return new Executed(202, body);
  }

  /** The caller's pending transaction in the expected stage (another tenant's id is unknown). */
  private load(principal: Principal, transactionId: string, mode: PendingMode, ...stages: Array<PendingTransaction['stage']>): PendingTransaction {
    const record = this.pending.find(transactionId, principal.tenantId);
    if (!record) throw GatewayError.notFound(`no pending transaction ${transactionId}`);
    if (record.credentialId !== principal.credentialId) throw GatewayError.forbidden(`transaction ${transactionId} was proposed by another credential`);
    if (record.mode !== mode) throw new GatewayError('INVALID_STATE_TRANSITION', `transaction ${transactionId} is a${record.mode === 'submit' ? ' submit' : 'n evaluation'}, not a${mode === 'submit' ? ' submit' : 'n evaluation'}`);
    if (record.outcome) throw new GatewayError('ALREADY_FINISHED', `transaction ${transactionId} is already ${record.stage}`, { transactionId, outcome: record.outcome.body });
    if (!stages.includes(record.stage)) throw new GatewayError('INVALID_STATE_TRANSITION', `transaction ${transactionId} is ${record.stage}, expected ${stages.join(' or ')}`);
    if (Date.parse(record.expiresAt) < Date.now()) throw new GatewayError('PROPOSAL_EXPIRED', `transaction ${transactionId} expired at ${record.expiresAt}; start again`);
    return record;
  }

  private fail(record: PendingTransaction, err: unknown): never {
    const mapped = mapFabricError(err, record.call.transaction);
    // Refusals are final and recorded; unavailability may pass, so the step can be retried.
    if (mapped.httpStatus < 500) {
      this.pending.finished(record, 'failed', { status: mapped.httpStatus, body: { error: { code: mapped.code, message: mapped.message } } });
    }
    this.metrics.ledgerCalls.inc({ kind: 'offline', transaction: callName(record.call), outcome: mapped.code });
    throw mapped;
  }

  /** Step 2: the signed proposal is endorsed; answers the unsigned transaction and commit-status request to sign. */
  async endorse(
    principal: Principal,
    transactionId: string,
    signature: string,
  ): Promise<{ transactionId: string; stage: 'endorsed'; transaction: string; commitStatusRequest: string; next: string }> {
    const record = this.load(principal, transactionId, 'submit', 'proposed');
    const gateway = this.ledger.session(principal).gateway;
    try {
      const proposal = gateway.newSignedProposal(record.proposalBytes, await signatureBytes(signature));
      const transaction = await proposal.endorse({ deadline: Date.now() + this.config.deadlines.endorseMs });
      this.pending.endorsed(transactionId, transaction.getBytes());
      return {
        transactionId,
        stage: 'endorsed',
        transaction: base64(transaction.getBytes()),
        commitStatusRequest: base64(this.offlineCommitRequest(principal, transactionId).getRequest_asU8()),
        next: `/v1/transactions/${transactionId}/submission`,
      };
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'INVALID_SIGNATURE') throw err;
      return this.fail(record, err);
    }
  }

  private offlineCommitRequest(principal: Principal, transactionId: string): gatewayProtos.SignedCommitStatusRequest {
    const certificate = this.credentials.find(principal.credentialId)?.certificatePem ?? '';
    return commitStatusRequest(principal.mspId, Buffer.from(certificate), this.ledger.session(principal).network.getName(), transactionId);
  }

  /**
   * Step 3: the signed transaction goes to ordering; answers once the commit status is known.
   * The commit-status request is signed by the caller too (`commitSignature` over SHA-256 of commitStatusRequest);
   * without it the gateway asks as a custodial identity of the same tenant.
   */
  async submitSigned(principal: Principal, transactionId: string, signature: string, commitSignature?: string): Promise<Executed> {
    const record = this.load(principal, transactionId, 'submit', 'endorsed', 'submitted');
    const gateway = this.ledger.session(principal).gateway;
    let transaction;
    try {
      transaction = gateway.newSignedTransaction(record.transactionBytes as Uint8Array, await signatureBytes(signature));
      // Once ordered, a transaction is never sent again: a retry only asks for its commit status.
      if (record.stage === 'endorsed') {
        await transaction.submit({ deadline: Date.now() + this.config.deadlines.submitMs });
        this.pending.submitted(transactionId);
      }
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'INVALID_SIGNATURE') throw err;
      return this.fail(record, err);
    }
    let status;
    try {
      const commit = commitSignature
        ? gateway.newSignedCommit(this.offlineCommitRequest(principal, transactionId).serializeBinary(), await signatureBytes(commitSignature))
        : this.readerCommit(principal, transactionId);
      status = await commit.getStatus({ deadline: Date.now() + this.config.deadlines.commitStatusMs });
    } catch (err) {
      if (err instanceof GatewayError) throw err; // our own refusal (a malformed signature, no reader), not Fabric's
      // Submitted, outcome unknown: the caller may ask again (POST …/submission) without resubmitting.
      const cause = err instanceof Error ? err.message : String(err);
      throw new GatewayError('COMMIT_STATUS_UNKNOWN', `transaction ${transactionId} was submitted; its commit status could not be read: ${cause}`, { transactionId, stage: 'submitted' });
    }
    if (!status.successful) return this.fail(record, new CommitError({ code: status.code, transactionId: status.transactionId }));
    // As submitAndWait does for custodial writes: the caller's next read goes to the platform's read peer.
    const platform = platformTargets(this.ledger.session(principal).contract(record.call.contract));
    if (platform) await awaitReadPeer(platform, status.blockNumber);
    const answer = answerOf(record.call.contract, record.call.transaction, transactionId, transaction.getResult(), this.ledger.answerSecret(principal));
    const result = await this.presenters.present(record.presenter, principal, answer);
    const outcome = new Executed(record.successStatus, { transactionId, blockNumber: status.blockNumber.toString(), status: 'VALID', result });
    this.pending.finished(record, 'committed', outcome);
    this.metrics.ledgerCalls.inc({ kind: 'offline', transaction: callName(record.call), outcome: 'OK' });
    return outcome;
  }

  /** The commit status as observed by a custodial identity of the same tenant (any channel member may ask). */
  private readerCommit(principal: Principal, transactionId: string): ReturnType<LedgerSession['gateway']['newCommit']> {
    const reader = this.tenantReader(principal);
    const tenant = this.tenants.get(reader.tenantId);
    const certificate = readFileSync(findIdentity(this.tenants.descriptor, tenant.orgKey, reader.identityName).certPath);
    const signed = commitStatusRequest(reader.mspId, certificate, this.ledger.session(reader).network.getName(), transactionId);
    return this.ledger.session(reader).gateway.newCommit(signed.serializeBinary());
  }

  /** An offline read: the signed proposal is evaluated on the gateway peer. */
  async evaluateSigned(principal: Principal, transactionId: string, signature: string): Promise<Executed> {
    const record = this.load(principal, transactionId, 'evaluate', 'proposed');
    const gateway = this.ledger.session(principal).gateway;
    try {
      const proposal = gateway.newSignedProposal(record.proposalBytes, await signatureBytes(signature));
      const bytes = await proposal.evaluate({ deadline: Date.now() + this.config.deadlines.evaluateMs });
      const outcome = new Executed(200, { transactionId, result: await this.presenters.present(record.presenter, principal, bytes) });
      this.pending.finished(record, 'evaluated', outcome);
      return outcome;
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'INVALID_SIGNATURE') throw err;
      return this.fail(record, err);
    }
  }

  /** Where an offline transaction stands (its final answer once there is one). */
  status(principal: Principal, transactionId: string): Record<string, unknown> {
    const record = this.pending.find(transactionId, principal.tenantId);
    if (!record || record.credentialId !== principal.credentialId) throw GatewayError.notFound(`no pending transaction ${transactionId}`);
    return {
      transactionId,
      mode: record.mode,
      stage: record.stage,
      transaction: callName(record.call),
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
      ...(record.outcome ? { outcome: record.outcome } : {}),
    };
  }
}
