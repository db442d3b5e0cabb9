import SwaggerParser from '@apidevtools/swagger-parser';
import { INSTITUTION_ID, ISO_DATE, REASON_CODE, REQUEST_ID } from '@econfirm/common';
import { publicJwk } from '@econfirm/sdk';
import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { TestGateway } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { uniqueName } from '../support/network';
import { HTTP_METHODS, OpenApiConformance, type OasDocument, type OasOperation, type OasSchema } from '../support/openapi-conformance';

/**
 * The gateway's OpenAPI document, checked by tools we did not write: it is a valid OpenAPI 3
 * document (@apidevtools/swagger-parser), and every /v1 operation is documented completely — a
 * success schema, the error envelope on every error answer, 400/401/403 (or the reason one
 * cannot happen), an operationId and a tag. That the documented schemas are TRUE is checked on
 * every answer of every e2e suite (support/openapi-conformance.ts).
 */
describe('gateway e2e: the OpenAPI document', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  let document: OasDocument;
  let dereferenced: OasDocument;

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'BANK1', 'REGULATOR');
    gw = await TestGateway.start();
    // Fetched raw (not through the checked client): the document is what is under test.
    const res = await request(gw.app.getHttpServer()).get('/openapi.json');
    expect(res.status).to.equal(200);
    document = res.body as OasDocument;
    dereferenced = (await OpenApiConformance.load(document)).document;
  });

  after(async function () {
    await gw?.close();
  });

  /** Every operation under /v1, with where it is. */
  function v1Operations(doc: OasDocument): { where: string; path: string; method: string; op: OasOperation }[] {
    return Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, item]) =>
        HTTP_METHODS.filter((m) => item[m]).map((method) => ({ where: `${method.toUpperCase()} ${path}`, path, method, op: item[method] as OasOperation })),
      );
  }

  it('is a valid OpenAPI 3 document (swagger-parser validate: schema and $refs)', async function () {
    expect(document.openapi).to.match(/^3\.0\./);
    // validate() mutates its argument while dereferencing: give it a copy.
    await SwaggerParser.validate(structuredClone(document) as unknown as Parameters<typeof SwaggerParser.dereference>[0]);
  });

  it('every /v1 operation has a unique operationId, a tag and a 2xx answer with a schema', function () {
    const operations = v1Operations(dereferenced);
    expect(operations.length).to.be.greaterThan(40);
    const problems: string[] = [];
    const ids = new Map<string, string>();
    for (const { where, op } of operations) {
      if (!op.operationId) problems.push(`${where}: no operationId`);
      else if (ids.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} also used by ${ids.get(op.operationId)}`);
      else ids.set(op.operationId, where);
      if (!op.tags?.length) problems.push(`${where}: no tag`);
      const success = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
      if (success.length === 0) problems.push(`${where}: no 2xx response`);
      for (const [status, response] of success) {
        if (status === '204') {
          if (response.content && Object.keys(response.content).length > 0) problems.push(`${where}: 204 documents a body`);
          continue;
        }
        const media = Object.entries(response.content ?? {});
        if (media.length === 0) problems.push(`${where}: ${status} documents no content`);
        for (const [type, { schema }] of media) {
          if (!schema || Object.keys(schema).length === 0) problems.push(`${where}: ${status} ${type} has no schema`);
          else if (type === 'application/json' && !schema.type && !schema.oneOf && !schema.anyOf && !schema.allOf) problems.push(`${where}: ${status} ${type} schema has no type`);
        }
      }
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('declares no Accept, Content-Type or Authorization header parameter (OpenAPI 3 ignores them; a fuzzer takes them as required)', function () {
    // schemathesis sent GET …/evidence-bundle without Accept and called the 200 a schema violation:
    // Nest had turned the controller's @Headers('accept') into a required parameter.
    const reserved = new Set(['accept', 'content-type', 'authorization']);
    const declared = v1Operations(dereferenced).flatMap(({ where, op }) =>
      ((op as unknown as { parameters?: Array<{ name: string; in: string }> }).parameters ?? []).filter((p) => p.in === 'header' && reserved.has(p.name.toLowerCase())).map((p) => `${where}: ${p.name}`));
    expect(declared).to.deep.equal([]);
  });

  it('every /v1 operation documents 400, 401 and 403 with the error body — or says why one cannot happen', function () {
    const problems: string[] = [];
    for (const { where, op } of v1Operations(dereferenced)) {
      const secured = (op.security ?? []).length > 0;
      const reasons = (op['x-econfirm-impossible-errors'] ?? {}) as Record<string, string>;
      for (const status of ['400', '401', '403']) {
        if (op.responses[status]) continue;
        if (status === '401' && !secured) {
          if (!reasons['401']) problems.push(`${where}: public (no security requirement) but x-econfirm-impossible-errors does not say why`);
          continue;
        }
        if (!reasons[status]) problems.push(`${where}: ${status} neither documented nor explained in x-econfirm-impossible-errors`);
      }
      if (secured && reasons['401']) problems.push(`${where}: has a security requirement, so 401 is possible`);
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^[45]\d\d$/.test(status)) continue;
        const problem = errorEnvelopeProblem(response.content?.['application/json']?.schema);
        if (problem) problems.push(`${where}: ${status}: ${problem}`);
      }
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('the conformance check every e2e answer goes through refuses what the document does not say', async function () {
    const checker = await OpenApiConformance.load(document);
    const me = (await gw.get(gw.custodial('firm1', 'auditor1'), '/v1/me')).body as Record<string, unknown>;
    const json = 'application/json; charset=utf-8';
    expect(checker.templateFor('/v1/confirmations/CF-1/reply/approval')).to.equal('/v1/confirmations/{id}/reply/approval');
    expect(checker.templateFor('/v1/webhooks/jwks.json?x=1')).to.equal('/v1/webhooks/jwks.json');
    expect(checker.check('GET', '/v1/me', 200, json, me)).to.deep.equal([]);
    const { role: _role, ...withoutRole } = me;
    expect(checker.check('GET', '/v1/me', 200, json, withoutRole).join()).to.match(/GET \/v1\/me → 200 \(\/v1\/me\): body does not match the documented schema: \(body\) must have required property 'role'/);
    expect(checker.check('GET', '/v1/me', 200, json, { ...me, role: 'superuser' }).join()).to.match(/\/role must be equal to one of the allowed values/);
    expect(checker.check('GET', '/v1/me', 200, json, { ...me, secret: 'x' }).join()).to.match(/must NOT have additional properties \(secret\)/);
    expect(checker.check('GET', '/v1/me', 418, json, {}).join()).to.match(/status 418 is not documented/);
    expect(checker.check('GET', '/v1/me', 401, json, { error: { code: 'UNAUTHENTICATED', message: 'no' } }).join()).to.match(/\/error must have required property 'requestId'/);
    expect(checker.check('GET', '/v1/me', 200, 'text/plain', 'hi').join()).to.match(/answered text\/plain, documented only application\/json/);
    expect(checker.check('DELETE', '/v1/me', 200, json, {}).join()).to.match(/no DELETE operation on \/v1\/me/);
    expect(checker.check('GET', '/v1/nowhere', 200, json, {}).join()).to.match(/no path template/);
    expect(checker.check('GET', '/v1/nowhere', 404, json, { error: { code: 'ROUTE_NOT_FOUND', message: 'x', requestId: 'r' } })).to.deep.equal([]);
    // A request body the gateway accepted must be one the document allows.
    expect(checker.check('POST', '/v1/webhooks', 201, json, {}, { url: 'http://x', colour: 'red' }).join()).to.match(/accepted a request body the documented request schema refuses: \(body\) must NOT have additional properties \(colour\)/);
    expect(checker.check('POST', '/v1/confirmations/CF-1/acceptance', 200, json, {}, { note: 'x' }).join()).to.match(/accepted a JSON request body, but the operation documents none/);
  });

  it('routes the other suites do not call answer as documented (registry reads and a registration, calendar, statistics, templates, JWKS, webhook edit, events status)', async function () {
    // Every call below goes through the checked client: a body off its documented schema fails here.
    const auditor = gw.custodial('firm1', 'auditor1');
    const admin = gw.custodial('operator', 'admin');
    const regulator = gw.custodial('regulator', 'regulator1');
    const ok = (res: request.Response, status = 200): request.Response => {
      expect(res.status, JSON.stringify(res.body)).to.equal(status);
      return res;
    };
    expect(ok(await gw.get(auditor, '/v1/institutions?kind=bank&pageSize=5')).body.records).to.be.an('array').that.is.not.empty;
    ok(await gw.get(auditor, '/v1/institutions/BANK1'));
    ok(await gw.get(auditor, '/v1/institutions/BANK1/keys'));
    expect(ok(await gw.get(auditor, '/v1/institutions/BANK1/history')).body).to.be.an('array').that.is.not.empty;
    const id = uniqueName('OAS').toUpperCase().replace(/[^A-Z0-9-]/g, '');
    const key = (kid: string) => ({ kid, jwk: publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })) });
    const registered = ok(
      await gw.post(admin, '/v1/institutions', {
        id, kind: 'enterprise', mspId: 'OperatorMSP', nameZh: '开放接口测试企业', nameEn: 'OpenAPI Test Enterprise', registrationId: `91310000${id.slice(-10)}`,
        encryptionKey: key(`${id}-enc-1`), signingKey: key(`${id}-sig-1`),
      }),
      201,
    );
    expect(registered.body.id).to.equal(id);
    const calendar = ok(await gw.get(auditor, '/v1/calendar')).body as Record<string, unknown>;
    // Writing the calendar in force back changes nothing and shows the write's documented answer.
    ok(await gw.http().put('/v1/calendar').set('Authorization', await gw.bearer(admin, 'PUT', '/v1/calendar')).send(calendar));
    ok(await gw.get(regulator, '/v1/statistics'));
    ok(await gw.get(auditor, '/v1/bulk/templates/bank-form-1'));
    expect(ok(await gw.get(auditor, '/v1/bulk/templates/bank-form-1.csv')).text).to.match(/^letterRef,/);
    ok(await gw.http().get('/.well-known/jwks.json'));
    ok(await gw.get(auditor, '/v1/events/status'));
    const webhook = ok(await gw.post(auditor, '/v1/webhooks', { url: 'http://127.0.0.1:9/none', active: false }), 201).body as { id: string };
    ok(await gw.http().patch(`/v1/webhooks/${webhook.id}`).set('Authorization', await gw.bearer(auditor, 'PATCH', `/v1/webhooks/${webhook.id}`)).send({ description: 'edited' }));
    ok(await gw.http().delete(`/v1/webhooks/${webhook.id}`).set('Authorization', await gw.bearer(auditor, 'DELETE', `/v1/webhooks/${webhook.id}`)), 204);
  });

  it('is as strict as the server: the DTOs\' constraints, the ids and headers checked in code, closed bodies, one schema per name (issue 17 §4)', function () {
    type Parameter = { name: string; in: string; schema: OasSchema };
    const parameter = (path: string, method: 'get' | 'post' | 'delete', name: string): OasSchema | undefined =>
      ((dereferenced.paths[path]?.[method] as unknown as { parameters?: Parameter[] } | undefined)?.parameters ?? []).find((p) => p.name === name)?.schema;
    const body = (path: string): OasSchema => dereferenced.paths[path]!.post!.requestBody!.content!['application/json']!.schema!;
    const member = (schema: OasSchema, name: string): OasSchema => (schema.properties as Record<string, OasSchema>)[name]!;
    // Query DTOs: integers and bounds (schemathesis sent pageSize=1.5 and limit=0.5), patterns.
    expect(parameter('/v1/confirmations', 'get', 'pageSize')).to.include({ type: 'integer', minimum: 1, maximum: 200 });
    expect(parameter('/v1/confirmations', 'get', 'firmId')).to.include({ pattern: INSTITUTION_ID.source });
    expect(parameter('/v1/events', 'get', 'limit')).to.include({ type: 'integer' });
    // Path DTOs and ids the routes check in code.
    expect(parameter('/v1/webhooks/{id}', 'delete', 'id')).to.include({ pattern: '^wh_[A-Za-z0-9_-]{12}$' });
    expect(parameter('/v1/webhooks/{id}/dead-letters/{sequence}/redeliver', 'post', 'sequence')).to.include({ type: 'integer', minimum: 1 });
    expect(parameter('/v1/confirmations/{id}/evidence.pdf', 'get', 'id')).to.include({ pattern: REQUEST_ID.source });
    expect(parameter('/v1/engagements/{id}/evidence-bundle', 'get', 'id')).to.include({ pattern: REQUEST_ID.source });
    expect(parameter('/v1/bulk/templates/{file}', 'get', 'file')?.enum).to.include.members(['bank-form-1', 'bank-form-1.csv']);
    expect(parameter('/v1/confirmations', 'post', 'Idempotency-Key')).to.include({ pattern: '^[A-Za-z0-9._:-]{1,200}$' });
    // Bodies: the ledger formats, closed (unknown members are refused), no string longer than a body can be.
    const issue = body('/v1/confirmations');
    expect(issue.additionalProperties).to.equal(false);
    expect(member(member(issue, 'engagement'), 'id')).to.include({ pattern: REQUEST_ID.source });
    expect(member(member(issue, 'engagement'), 'asOfDate')).to.include({ pattern: ISO_DATE.source });
    expect(member(body('/v1/confirmations/{id}/authorization'), 'letterCiphertext').maxLength).to.be.at.most(gw.config.limits.bodyBytes);
    // Two classes were both called ReasonDto: one route documented the other's body. A reason
    // code (receivables) and a free-text reason (confirmations) are two schemas now.
    expect(member(body('/v1/receivables/{id}/rejection'), 'reason')).to.include({ pattern: REASON_CODE.source });
    expect(member(body('/v1/confirmations/{id}/refusal'), 'reason')).to.include({ minLength: 1, maxLength: 1000 }).and.not.to.have.property('pattern');
    // The upload's multipart fields: the DTO's formats, through the @ApiBody type that adds `file`.
    const upload = dereferenced.paths['/v1/bulk/jobs']!.post!.requestBody!.content!['multipart/form-data']!.schema!;
    expect(member(upload, 'engagementId')).to.include({ pattern: REQUEST_ID.source });
    // A JSON body of the verifier is { pdf } or { bundle }, never the raw bytes (a bare JSON string is refused).
    expect(JSON.stringify(body('/v1/evidence/verify'))).not.to.include('binary');
  });

  it('a documented path answers a method it does not document 405 with Allow, not 404 (issue 17 §4)', async function () {
    const templates = Object.entries(document.paths).map(([template, item]) => ({
      pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      templated: template.includes('{'),
      methods: HTTP_METHODS.filter((m) => item[m]),
    }));
    const problems: string[] = [];
    for (const template of Object.keys(document.paths)) {
      const url = template.replace(/\{[^}]+\}/g, 'wh_AAAAAAAAAAAA');
      // A concrete path wins over a template it also matches (/v1/webhooks/jwks.json is no webhook id).
      const matching = templates.filter((t) => t.pattern.test(url));
      const concrete = matching.filter((t) => !t.templated);
      const documented = new Set((concrete.length > 0 ? concrete : matching).flatMap((t) => t.methods));
      const method = (['put', 'patch', 'delete', 'post', 'get'] as const).find((m) => !documented.has(m));
      if (!method) continue;
      // Raw, not the checked client: no operation documents this answer.
      const res = await (request(gw.app.getHttpServer()) as unknown as Record<string, (u: string) => request.Test>)[method](url);
      const allow = String(res.headers.allow ?? '').split(', ').map((m) => m.toLowerCase());
      if (res.status !== 405 || (res.body as { error?: { code?: string } }).error?.code !== 'METHOD_NOT_ALLOWED') problems.push(`${method.toUpperCase()} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
      else if ([...documented].some((m) => !allow.includes(m))) problems.push(`${method.toUpperCase()} ${url}: Allow ${res.headers.allow} lacks one of ${[...documented].join(', ')}`);
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('the security requirements are true: every secured operation answers 401 without a token, every public one does not', async function () {
    const problems: string[] = [];
    for (const { where, path, method, op } of v1Operations(dereferenced)) {
      // A syntactically valid stand-in for every path parameter; the guard runs before anything reads it.
      const url = path.replace(/\{[^}]+\}/g, 'wh_AAAAAAAAAAAA');
      const res = await (gw.http() as unknown as Record<string, (u: string) => request.Test>)[method](url);
      const secured = (op.security ?? []).length > 0;
      if (secured && res.status !== 401) problems.push(`${where}: documented as secured, answered ${res.status} without a token`);
      if (!secured && res.status === 401) problems.push(`${where}: documented as public, answered 401 without a token`);
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });
});

/** Why a documented error response does not carry `{ error: { code, message, details?, requestId } }`, if it does not. */
function errorEnvelopeProblem(schema: OasSchema | undefined): string | undefined {
  if (!schema) return 'no application/json schema (the error body)';
  const error = (schema.properties as Record<string, OasSchema> | undefined)?.error;
  if (!error || !(schema.required as string[] | undefined)?.includes('error')) return 'schema is not { error } (required)';
  const props = (error.properties ?? {}) as Record<string, OasSchema>;
  const required = (error.required ?? []) as string[];
  for (const key of ['code', 'message', 'requestId']) {
    if (props[key]?.type !== 'string' || !required.includes(key)) return `error.${key} is not a required string`;
  }
  if (!props.details || required.includes('details')) return 'error.details is not an optional member';
  return undefined;
}
