import { BANK_LETTER_2020, BANK_LETTER_HEADER, type LetterContent, type SectionContent } from '@econfirm/common';
import { createApp, CredentialsStore, validateGatewayConfig, type GatewayConfig } from '@econfirm/gateway';
import { createApiToken, defaultDescriptorPath } from '@econfirm/sdk';
import type { JsonWebKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { networkDir } from './institutions';
import { checkedRequest } from './openapi-conformance';
import { REPO_ROOT } from './network';

type GatewayApp = Awaited<ReturnType<typeof createApp>>;

/** The demo tenants of the e2e tests: an audit firm, its client, a bank, the regulator, the operator. */
export const E2E_TENANTS: GatewayConfig['tenants'] = [
  { id: 'firm1', institutionId: 'FIRM1', orgKey: 'firm1' },
  { id: 'client1', institutionId: 'CLIENT1', orgKey: 'operator' },
  { id: 'bank1', institutionId: 'BANK1', orgKey: 'bank1' },
  { id: 'regulator', institutionId: 'REGULATOR', orgKey: 'regulator' },
  { id: 'operator', institutionId: 'OPERATOR', orgKey: 'operator' },
];

/** A caller of the gateway: an API credential id and the private key its tokens are signed with. */
export interface Caller {
  credentialId: string;
  privateJwk: JsonWebKey;
}

export interface DemoCallers {
  auditor: Caller;
  clientSigner: Caller;
  officer: Caller;
  reviewer: Caller;
  /** BANK1's lending side: files mortgage applications and discharge requests. */
  mortgageOfficer: Caller;
  regulator: Caller;
}

/** A registration centre's maker and checker (tenant mreg1 unless named). */
export interface RegistryCallers {
  registrar: Caller;
  registryReviewer: Caller;
}

/** A gateway built by createApp on the real network, with its own database in a temp folder. */
export class TestGateway {
  private constructor(
    public app: GatewayApp,
    readonly config: GatewayConfig,
    /** The gateway's state directory: its SQLite file with WAL and shared memory (removed by close()). */
    readonly stateDir: string,
  ) {}

  /**
   * `overrides` replace whole settings of the validated config; `raw` is merged into the config
   * file's JSON before validation, for one field of a section with the others at their defaults
   * (the fuzz suite lifts `limits.rate` this way).
   */
  static async start(overrides: Partial<GatewayConfig> = {}, raw: Record<string, unknown> = {}): Promise<TestGateway> {
    const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-gw-e2e-'));
    const config = {
      ...validateGatewayConfig({
        port: 0,
        // Given, the audience follows it (as in a config file); tokens are bound to it (htu).
        ...(overrides.publicUrl ? { publicUrl: overrides.publicUrl } : {}),
        dbPath: path.join(dir, 'gateway.db'),
        networkDescriptorPath: defaultDescriptorPath(REPO_ROOT),
        keysDir: path.join(networkDir(), 'institution-keys'),
        logLevel: 'warn',
        tenants: E2E_TENANTS,
        // The tests' webhook receivers listen on 127.0.0.1: allow loopback explicitly (the default refuses it).
        events: { enabled: false, webhookEgress: { allowedHosts: ['127.0.0.0/8', '::1'] } },
        ...raw,
      }),
      ...overrides,
    };
    return new TestGateway(await createApp(config), config, dir);
  }

  get credentials(): CredentialsStore {
    return this.app.get(CredentialsStore);
  }

  /** A custodial credential for `<identity>` of the tenant's org. */
  custodial(tenantId: string, identityName: string): Caller {
    const issued = this.credentials.issue({ tenantId, identityName });
    return { credentialId: issued.credential.id, privateJwk: issued.privateJwk };
  }

  /** Custodial callers for the demo tenants' usual identities: the firm's auditor, the client's signer, the bank's maker and checker, the regulator. */
  demoCallers(): DemoCallers {
    return {
      auditor: this.custodial('firm1', 'auditor1'),
      clientSigner: this.custodial('client1', 'client1'),
      officer: this.custodial('bank1', 'officer1'),
      reviewer: this.custodial('bank1', 'reviewer1'),
      mortgageOfficer: this.custodial('bank1', 'mortgage-officer1'),
      regulator: this.custodial('regulator', 'regulator1'),
    };
  }

  registryCallers(tenantId = 'mreg1'): RegistryCallers {
    return { registrar: this.custodial(tenantId, 'registrar1'), registryReviewer: this.custodial(tenantId, 'registry-reviewer1') };
  }

  /**
   * A registration or discharge (`…/registration`, `…/discharge`) as the registry does it: the
   * registrar prepares, a registry reviewer approves (chaincode/README.md, Mortgage contract).
   * The approval's answer, or the registrar's refusal as it came.
   */
  async registryStep(registry: RegistryCallers, url: string, body: object): Promise<request.Response> {
    const prepared = await this.post(registry.registrar, url, body);
    if (prepared.status !== 200) return prepared;
    return this.post(registry.registryReviewer, url.replace(/\/(registration|discharge)$/, '/review/approval'));
  }

  /** A token for one request: `method` on `url` (a path, query allowed) at this gateway. */
  async token(caller: Caller, method: string, url: string): Promise<string> {
    return createApiToken(caller.credentialId, caller.privateJwk, { audience: this.config.audience, method, url: `${this.config.publicUrl}${url}` });
  }

  /** supertest on the app; every answer is checked against the OpenAPI document (openapi-conformance.ts). */
  http(): ReturnType<typeof request> {
    return checkedRequest(this.app.getHttpServer());
  }

  /** The Authorization header value for one request as `caller`: a token made for exactly this method and URL. */
  async bearer(caller: Caller, method: string, url: string): Promise<string> {
    return `Bearer ${await this.token(caller, method, url)}`;
  }

  async get(caller: Caller, url: string): Promise<request.Response> {
    return this.http().get(url).set('Authorization', await this.bearer(caller, 'GET', url));
  }

  /** A GET whose answer is bytes (a signed PDF): `body` is the Buffer as sent, whatever the content type. */
  async getBytes(caller: Caller, url: string): Promise<request.Response & { body: Buffer }> {
    return (await this.http()
      .get(url)
      .set('Authorization', await this.bearer(caller, 'GET', url))
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })) as request.Response & { body: Buffer };
  }

  async post(caller: Caller, url: string, body: object = {}, headers: Record<string, string> = {}): Promise<request.Response> {
    return this.http().post(url).set('Authorization', await this.bearer(caller, 'POST', url)).set(headers).send(body);
  }

  /**
   * One step of a lifecycle as the next party. Its gateway peer (another org's) may not have
   * committed the previous step's block yet and answers NOT_FOUND, as for a stranger: ask again
   * briefly (up to 5 s), as a party's system would. Any other answer is returned at once.
   */
  async postStep(caller: Caller, url: string, body: object = {}): Promise<request.Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.post(caller, url, body);
      if (res.status !== 404 || attempt >= 25) return res;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stops the app and builds a new one on the same database: what a gateway restart keeps. */
  async restart(): Promise<void> {
    await this.app.close();
    this.app = await createApp(this.config);
  }

  /** Every record of a paginated list route, following bookmarks (ledgers reused across runs grow). */
  async listAll<T = Record<string, unknown>>(caller: Caller, url: string, maxPages = 100): Promise<T[]> {
    const records: T[] = [];
    let bookmark = '';
    for (let page = 0; page < maxPages; page++) {
      const sep = url.includes('?') ? '&' : '?';
      const res = await this.get(caller, `${url}${sep}pageSize=200${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`);
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
      // A page may show none of the records it fetched (not yet delivered to the caller): follow the bookmark.
      const body = res.body as { records: T[]; bookmark: string; fetchedRecordsCount: number };
      records.push(...body.records);
      if (!body.bookmark || body.fetchedRecordsCount === 0) return records;
      bookmark = body.bookmark;
    }
    return records;
  }

  async close(): Promise<void> {
    await this.app.close();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** The audit engagement of the demo client CLIENT1 (FY 2025) under the given id. */
export function demoEngagement(id: string): { id: string; clientId: string; periodStart: string; periodEnd: string; asOfDate: string } {
  return { id, clientId: 'CLIENT1', periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31' };
}

/** A plain-JSON Form 1 letter from FIRM1 to BANK1 for CLIENT1, as POST /v1/confirmations takes it. */
export function bankLetterRequest(id: string, engagementId: string, accountNo: string): Record<string, unknown> {
  return { id, kind: 'bank-form-1', engagement: demoEngagement(engagementId), addresseeId: 'BANK1', feePayer: 'client', letter: bankLetter(accountNo) };
}

/** A complete 2020 bank letter (Form 1): one deposit row carrying `accountNo`, every other section "none". */
export function bankLetter(accountNo: string, clientName = 'East China Manufacturing Co., Ltd.'): LetterContent {
  const header = Object.fromEntries(BANK_LETTER_HEADER.map((key) => [key, key === 'asOfDate' || key === 'date' ? '2025-12-31' : `${key} of ${clientName}`]));
  const sections: Record<string, SectionContent> = Object.fromEntries(BANK_LETTER_2020.sections.map((s) => [s.key, { status: 'none' } as SectionContent]));
  sections.deposits = {
    status: 'rows',
    rows: [{ accountName: clientName, accountNo, currency: 'CNY', rate: '0.35%', type: 'current', balance: '1234567.89', inCashPool: 'no', startDate: 'none', endDate: 'none', restricted: 'no', remarks: 'none' }],
  };
  return { formId: 'bank-letter-2020', header, sections };
}

/** An agreeing reply to a Form 1 letter. */
export function agreeingReply(): Record<string, unknown> {
  return { formId: 'bank-letter-2020', conclusion: 'agrees', differences: [], sections: {}, handler: 'Li Wei', reviewer: 'Wang Fang', date: '2026-01-10' };
}
