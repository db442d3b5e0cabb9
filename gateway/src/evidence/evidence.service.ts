import { Inject, Injectable } from '@nestjs/common';
import type { bundleToJson, BundleVerdict, EvidenceSigner, TrustRoots, Verdict } from '@econfirm/evidence';
import { isApiErrorCode, Role, type CrossCheckReport } from '@econfirm/common';
import { LedgerCallError, type InstitutionPrivateKeys } from '@econfirm/sdk';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { AnchoringService } from '../anchoring/anchoring.service';
import type { Principal } from '../auth/principal';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { CrossCheckService } from '../crosscheck/cross-check.service';
import { GatewayError } from '../errors/gateway-error';
import { errorBody } from '../errors/gateway-exception.filter';
import { mapFabricError } from '../fabric/fabric-error.mapper';
import { LedgerService } from '../fabric/ledger.service';
import { MetricsService } from '../metrics/metrics.service';
import { servicePrincipal } from '../tenants/service-principal';
import { TenantsService } from '../tenants/tenants.service';
import { evidenceLibrary, loadedEvidenceLibrary, type Evidence } from './evidence-library';
import { VerifierPool } from './verifier/verifier-pool';

/**
 * Evidence as the caller's tenant makes it: read from the ledger as the principal, opened with the
 * tenant's own encryption key, signed with the tenant institution's evidence certificate. The
 * verifier trusts nothing of ours: it takes the MSP roots from the channel configuration.
 * The evidence library itself is loaded on the first call (evidence-library.ts says why).
 */
@Injectable()
export class EvidenceService {
  private readonly signers = new Map<string, EvidenceSigner>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly ledger: LedgerService,
    private readonly tenants: TenantsService,
    private readonly verifier: VerifierPool,
    private readonly crossChecks: CrossCheckService,
    private readonly anchoring: AnchoringService,
    private readonly metrics: MetricsService,
  ) {}

  /** The anchor proof the evidence embeds: anchored, "pending", or none when this gateway does not anchor. */
  private readonly anchor = (record: { id: string; state: string }) => this.anchoring.proofFor(record.id, record.state);

  /** Largest raw PDF the verify route reads (evidence.verifier.maxPdfBytes). */
  get maxPdfBytes(): number {
    return this.config.evidence.verifier.maxPdfBytes;
  }

  /**
   * The tenant institution's evidence key and chain: `<evidence.dir>/<institution>/{key.pem,chain.pem}`,
   * else the network's demo custody folder (network/identity.sh evidence <org> <institution>).
   */
  private signer(evidence: Evidence, principal: Principal): EvidenceSigner {
    const cached = this.signers.get(principal.tenantId);
    if (cached) return cached;
    const tenant = this.tenants.get(principal.tenantId);
    const candidates = [
      path.join(this.config.evidence.dir, tenant.institutionId),
      path.join(path.dirname(this.config.networkDescriptorPath), 'evidence', tenant.orgKey, tenant.institutionId),
    ];
    const dir = candidates.find((d) => existsSync(path.join(d, 'chain.pem')) && existsSync(path.join(d, 'key.pem')));
    if (!dir) {
      throw new GatewayError('EVIDENCE_NOT_CONFIGURED', `no evidence certificate for ${tenant.institutionId}`, { looked: candidates });
    }
    const signer = evidence.evidenceSignerFromFiles(tenant.institutionId, path.join(dir, 'key.pem'), [path.join(dir, 'chain.pem')]);
    this.signers.set(principal.tenantId, signer);
    return signer;
  }

  private keys(principal: Principal): InstitutionPrivateKeys {
    const keys = this.tenants.institutionKeys(principal.tenantId);
    if (!keys) throw new GatewayError('NO_INSTITUTION_KEYS', 'this gateway does not hold the institution key needed to open letter and reply');
    return keys;
  }

  private failure(err: unknown, what: string): GatewayError {
    if (err instanceof GatewayError) return err;
    const evidence = loadedEvidenceLibrary();
    if (evidence && err instanceof evidence.EvidenceInputError) return new GatewayError(isApiErrorCode(err.code) ? err.code : 'MALFORMED', err.message);
    if (err instanceof LedgerCallError) return mapFabricError(err, what);
    return new GatewayError('EVIDENCE_FAILED', `${what}: ${(err as Error).message}`);
  }

  /** The firm's cross-check of the reply for the evidence's cross-check section, when the client's grant allows one. */
  private async crossCheck(principal: Principal, confirmationId: string): Promise<CrossCheckReport | undefined> {
    try {
      return await this.crossChecks.confirmation(principal, confirmationId);
    } catch (err) {
      // No accepted reply yet, or no grant: the evidence goes without the section (and says nothing of the client's registrations).
      if (err instanceof GatewayError && (err.code === 'CROSS_CHECK_NOT_READY' || err.code === 'MORTGAGE_ACCESS_NOT_GRANTED')) return undefined;
      throw err;
    }
  }

  async pdf(principal: Principal, confirmationId: string): Promise<Buffer> {
    try {
      const evidence = await evidenceLibrary();
      const signer = this.signer(evidence, principal);
      const crossCheck = await this.crossCheck(principal, confirmationId);
      const generated = await evidence.generateEvidence({ ledger: this.ledger.session(principal), confirmationId, keys: this.keys(principal), signer, ...(crossCheck ? { crossCheck } : {}), anchor: this.anchor });
      return generated.pdf;
    } catch (err) {
      throw this.failure(err, 'GetConfirmationEvidence');
    }
  }

  /**
   * The registration centre's identity on this gateway: a registrar of the tenant hosting the
   * registry. The certificate is the centre's document, read, opened and signed as the centre.
   */
  private registrar(registryId: string): Principal {
    const tenant = this.tenants.list().find((t) => t.institutionId === registryId);
    const identity = tenant && this.tenants.descriptor.orgs.find((o) => o.key === tenant.orgKey)?.identities.find((i) => i.institution === registryId && i.role === Role.Registrar);
    if (!tenant || !identity) throw new GatewayError('EVIDENCE_NOT_CONFIGURED', `this gateway does not host the registration centre ${registryId}, which issues the certificate`, { registryId });
    return servicePrincipal(tenant, identity, 'certificates');
  }

  /**
   * The electronic registration certificate (不动产登记证明) of a registration, for a caller the
   * ledger lets read it (GetMortgageEvidence as the caller decides: the mortgagee bank, the
   * registry, the regulator, an auditor with the client's grant; anyone else gets NOT_FOUND).
   * Issued by the registration centre's side of this gateway; the sealed content is printed
   * only in a copy for a party it is sealed to (bank, registry, mortgagor institutions).
   */
  async mortgageCertificate(principal: Principal, mortgageId: string): Promise<Buffer> {
    try {
      const evidence = await evidenceLibrary();
      const readable = await evidence.readMortgageEvidence(this.ledger.session(principal), mortgageId);
      const record = readable.mortgage;
      // A registration the registrar prepared carries its certificate before the reviewer approves it: not issued yet.
      if (!record.certificate || !evidence.CERTIFIED_STATES.includes(record.state)) {
        throw new GatewayError('CERTIFICATE_NOT_ISSUED', `mortgage ${mortgageId} is ${record.state}: no registration certificate was issued`, { state: record.state });
      }
      const registrar = this.registrar(record.registryId);
      const keys = this.tenants.institutionKeys(registrar.tenantId);
      if (!keys) throw new GatewayError('NO_INSTITUTION_KEYS', `this gateway holds no keys of ${record.registryId} to open the registration`);
      const generated = await evidence.generateMortgageCertificate({ ledger: this.ledger.session(registrar), mortgageId, keys, signer: this.signer(evidence, registrar), issuedTo: principal.institutionId, anchor: (version) => this.anchoring.certificateProofFor(version) });
      return generated.pdf;
    } catch (err) {
      throw this.failure(err, 'GetMortgageEvidence');
    }
  }

  /**
   * The receivable voucher (电子债权凭证), issued and signed by the caller's own institution: read as
   * the caller (GetReceivableEvidence lets the obligor, holders past and present, the financing bank
   * and the regulator read it; anyone else gets NOT_FOUND), the terms opened with the tenant's key
   * when this gateway holds it and they are sealed to the caller (else printed by their hashes).
   */
  async receivableVoucher(principal: Principal, receivableId: string): Promise<Buffer> {
    try {
      // The ledger's answer first (NOT_FOUND, VOUCHER_NOT_ISSUED), before this gateway's signing
      // configuration: a caller who may not read the receivable learns nothing of our keys.
      const library = await evidenceLibrary();
      const session = this.ledger.session(principal);
      const evidence = await library.readReceivableEvidence(session, receivableId);
      const { receivable } = evidence;
      if (!library.VOUCHER_STATES.includes(receivable.state)) {
        throw new GatewayError('VOUCHER_NOT_ISSUED', `receivable ${receivableId} is ${receivable.state}: the obligor has not confirmed it, no voucher was issued`, { state: receivable.state });
      }
      const keys = this.tenants.institutionKeys(principal.tenantId);
      const generated = await library.generateReceivableVoucher({ ledger: session, receivableId, evidence, signer: this.signer(library, principal), ...(keys ? { keys } : {}), anchor: (version) => this.anchoring.voucherProofFor(version) });
      return generated.pdf;
    } catch (err) {
      throw this.failure(err, 'GetReceivableEvidence');
    }
  }

  async bundle(principal: Principal, engagementId: string): Promise<ReturnType<typeof bundleToJson> & { manifest: unknown }> {
    try {
      const evidence = await evidenceLibrary();
      const bundle = await evidence.generateEngagementBundle({ ledger: this.ledger.session(principal), engagementId, keys: this.keys(principal), signer: this.signer(evidence, principal), anchor: this.anchor });
      return { manifest: bundle.manifest, ...evidence.bundleToJson(bundle) };
    } catch (err) {
      throw this.failure(err, 'ListConfirmationsByEngagement');
    }
  }

  /**
   * The bundle with its progress, as NDJSON lines (`Accept: application/x-ndjson`): `{"progress":
   * {"done","total"}}` after the letters are listed and after each signed letter, then one
   * `{"bundle": …}` (what the JSON answer holds) or `{"error": …}` (the error body of every
   * route). It resolves once the letters are listed, so that a refusal — not the firm's engagement,
   * no letters, no evidence key — is still an HTTP status, not a line; a failure after that is the
   * last line. A bundle of many letters takes minutes: the portal's progress bar reads these lines.
   */
  async bundleProgress(principal: Principal, engagementId: string, hangUp?: AbortSignal): Promise<Readable> {
    const out = new PassThrough();
    const line = (value: object): string => `${JSON.stringify(value)}\n`;
    let listed = false;
    let started!: () => void;
    let refused!: (err: unknown) => void;
    const first = new Promise<void>((resolve, reject) => {
      started = resolve;
      refused = reject;
    });
    // A caller that hung up gets nothing more, and the bundle is abandoned: no further letter is
    // rendered and signed for nobody (the ones in flight finish), and no manifest is signed.
    const send = (value: object, last = false): void => {
      if (out.destroyed || hangUp?.aborted) return;
      if (last) out.end(line(value));
      else out.write(line(value));
    };
    const onProgress = (progress: { done: number; total: number }): void => {
      if (progress.done > 0) this.metrics.evidenceBundleLetters.inc();
      send({ progress });
      if (!listed) {
        listed = true;
        started();
      }
    };
    const generating = (async () => {
      const evidence = await evidenceLibrary();
      const bundle = await evidence.generateEngagementBundle({
        ledger: this.ledger.session(principal), engagementId, keys: this.keys(principal), signer: this.signer(evidence, principal), anchor: this.anchor, onProgress,
        ...(hangUp ? { signal: hangUp } : {}),
      });
      return { manifest: bundle.manifest, ...evidence.bundleToJson(bundle) };
    })();
    generating.then(
      (bundle) => {
        this.metrics.evidenceBundles.inc({ outcome: 'completed' });
        send({ bundle }, true);
      },
      (err: unknown) => {
        if (hangUp?.aborted) {
          this.metrics.evidenceBundles.inc({ outcome: 'abandoned' });
          out.destroy();
          return;
        }
        this.metrics.evidenceBundles.inc({ outcome: 'failed' });
        const failure = this.failure(err, 'ListConfirmationsByEngagement');
        if (!listed) refused(failure);
        else send(errorBody(failure), true);
      },
    );
    await first;
    return out;
  }

  /** MSP roots and CRLs from the channel's current configuration (never from the document). */
  private async trust(principal: Principal): Promise<{ roots: TrustRoots; revocations: Map<string, Buffer[]> }> {
    try {
      return await (await evidenceLibrary()).channelMspTrust(this.ledger.network(principal));
    } catch (err) {
      throw this.failure(err, 'channel configuration');
    }
  }

  /** The chain anchors are checked on: this gateway's configured node and contract, never the document's. */
  private evm(): { evm?: { rpcUrl: string; contract: string; chainId: string } } {
    return this.anchoring.enabled ? { evm: this.anchoring.chain() } : {};
  }

  async verifyPdf(principal: Principal, pdf: Buffer, offline: boolean): Promise<Verdict> {
    const trust = await this.trust(principal);
    return this.verifier.verifyPdf(pdf, { ...trust, ...this.evm() }, offline ? undefined : (await evidenceLibrary()).ledgerView(this.ledger.session(principal)));
  }

  async verifyBundle(principal: Principal, bundle: { manifestJws: string; files: Record<string, string> }, offline: boolean): Promise<BundleVerdict> {
    const trust = await this.trust(principal);
    return this.verifier.verifyBundle(bundle, { ...trust, ...this.evm() }, offline ? undefined : (await evidenceLibrary()).ledgerView(this.ledger.session(principal)));
  }
}
