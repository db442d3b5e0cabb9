import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { appendFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import request from 'supertest';

/**
 * The gateway's OpenAPI document held against what the gateway really answers: every response an
 * e2e helper receives is checked against the documented status and schema of its path template
 * and method. The document is dereferenced by @apidevtools/swagger-parser and schemas are compiled
 * by ajv — tools we did not write — so a wrong or missing @ApiResponse/@ApiProperty fails the
 * test that made the call, naming the route, the status and the offending field.
 *
 * ECONFIRM_OPENAPI_REPORT=<file> records every problem (JSON lines) instead of throwing, to list
 * all mismatches of a whole run at once. ECONFIRM_OPENAPI_COVERAGE=<file> writes, at exit, which
 * documented operation/status pairs the run's answers exercised and which none did.
 */

/** The parts of an OpenAPI 3 document this check reads (after dereferencing: no $ref left). */
export interface OasSchema {
  [keyword: string]: unknown;
}
export interface OasMedia {
  schema?: OasSchema;
}
export interface OasResponse {
  description?: string;
  content?: Record<string, OasMedia>;
}
export interface OasOperation {
  operationId?: string;
  requestBody?: { content?: Record<string, OasMedia> };
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, OasResponse>;
  [extension: `x-${string}`]: unknown;
}
export type OasPathItem = Partial<Record<HttpMethod, OasOperation>>;
export interface OasDocument {
  openapi: string;
  paths: Record<string, OasPathItem>;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Paths the gateway serves on purpose outside the document (scrape format, the docs UI and the document itself). */
const UNDOCUMENTED_PATHS = [/^\/metrics$/, /^\/docs(\/.*)?$/, /^\/openapi\.json$/];

interface Template {
  template: string;
  pattern: RegExp;
  literalSegments: number;
}

function templateOf(template: string): Template {
  const segments = template.split('/');
  const pattern = segments.map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return { template, pattern: new RegExp(`^${pattern}$`), literalSegments: segments.filter((s) => !s.startsWith('{')).length };
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 8)
    .map((e) => `${e.instancePath || '(body)'} ${e.message ?? e.keyword}${e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : ''}${e.keyword === 'enum' ? ` ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}` : ''}`)
    .join('; ');
}

function excerpt(body: unknown): string {
  const text = JSON.stringify(body) ?? String(body);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

/** The checker over one document: route matching, documented statuses, compiled response schemas. */
export class OpenApiConformance {
  private readonly templates: Template[];
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv: Ajv;
  /** `METHOD template status` of every answer checked. */
  readonly seen = new Set<string>();

  constructor(readonly document: OasDocument) {
    // Literal segments win over parameters: /v1/webhooks/jwks.json before /v1/webhooks/{id}.
    this.templates = Object.keys(document.paths)
      .map(templateOf)
      .sort((a, b) => b.literalSegments - a.literalSegments);
    // OpenAPI 3.0 schemas carry keywords JSON Schema does not know (example, nullable…): not strict.
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
  }

  /** Dereferences a copy of the document (the validator's own $ref resolution) and builds the checker. */
  static async load(document: unknown): Promise<OpenApiConformance> {
    const dereferenced = await SwaggerParser.dereference(structuredClone(document) as Parameters<typeof SwaggerParser.dereference>[0]);
    return new OpenApiConformance(dereferenced as unknown as OasDocument);
  }

  /** The path template a concrete path (query string ignored) is served by, if any. */
  templateFor(url: string): string | undefined {
    const path = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0] ?? '';
    return this.templates.find((t) => t.pattern.test(path))?.template;
  }

  /**
   * What is wrong with one answer, as precise messages (empty: it conforms). `contentType` is the
   * response header; `body` the parsed JSON (only read for JSON answers). `sent`, a JSON request
   * body the gateway accepted (2xx), must match the documented request body too.
   */
  check(method: string, url: string, status: number, contentType: string | undefined, body: unknown, sent?: unknown): string[] {
    const problems = this.checkAnswer(method, url, status, contentType, body);
    if (status >= 200 && status < 300 && sent !== undefined) problems.push(...this.checkAccepted(method, url, status, sent));
    return problems;
  }

  /** An accepted JSON request body against the operation's documented application/json request body. */
  private checkAccepted(method: string, url: string, status: number, sent: unknown): string[] {
    const path = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0] ?? '';
    const template = this.templateFor(path);
    const operation = template ? this.document.paths[template]?.[method.toLowerCase() as HttpMethod] : undefined;
    if (!template || !operation) return [];
    const at = `${method.toUpperCase()} ${path} → ${status} (${template})`;
    const schema = operation.requestBody?.content?.['application/json']?.schema;
    if (!schema) {
      // supertest helpers send {} by default: an empty object is no body.
      const empty = sent === null || (typeof sent === 'object' && Object.keys(sent as object).length === 0);
      return empty ? [] : [`${at}: accepted a JSON request body, but the operation documents none: ${excerpt(sent)}`];
    }
    const validate = this.validator(`request ${method.toLowerCase()} ${template}`, schema);
    if (validate(sent)) return [];
    return [`${at}: accepted a request body the documented request schema refuses: ${formatErrors(validate.errors)}; sent ${excerpt(sent)}`];
  }

  private checkAnswer(method: string, url: string, status: number, contentType: string | undefined, body: unknown): string[] {
    const path = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0] ?? '';
    const where = `${method.toUpperCase()} ${path} → ${status}`;
    const template = this.templateFor(path);
    if (!template) {
      // A test may probe a route that does not exist: the gateway's 404 for it is not an API answer.
      if (UNDOCUMENTED_PATHS.some((p) => p.test(path)) || (status === 404 && isRouteNotFound(body))) return [];
      return [`${where}: no path template of the OpenAPI document matches ${path}`];
    }
    const operation = this.document.paths[template]?.[method.toLowerCase() as HttpMethod];
    if (!operation) {
      if (status === 404 && isRouteNotFound(body)) return [];
      return [`${where}: the OpenAPI document has no ${method.toUpperCase()} operation on ${template}`];
    }
    const at = `${where} (${template})`;
    this.seen.add(`${method.toUpperCase()} ${template} ${status}`);
    const response = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses.default;
    if (!response) return [`${at}: status ${status} is not documented (documented: ${Object.keys(operation.responses).join(', ')}); body ${excerpt(body)}`];
    const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!mediaType) return [];
    const content = response.content ?? {};
    if (Object.keys(content).length === 0) return [`${at}: answered ${mediaType}, but the documented ${status} response has no content`];
    const media = content[mediaType] ?? (isJson(mediaType) ? Object.entries(content).find(([k]) => isJson(k))?.[1] : undefined);
    if (!media) return [`${at}: answered ${mediaType}, documented only ${Object.keys(content).join(', ')}`];
    if (!isJson(mediaType)) return [];
    if (!media.schema) return [`${at}: the documented ${mediaType} response has no schema`];
    const validate = this.validator(`${method.toLowerCase()} ${template} ${status} ${mediaType}`, media.schema);
    if (validate(body)) return [];
    return [`${at}: body does not match the documented schema: ${formatErrors(validate.errors)}; body ${excerpt(body)}`];
  }

  /** Documented `METHOD template status` triples, split by whether an answer exercised them. */
  coverage(): { exercised: string[]; never: string[] } {
    const documented = Object.entries(this.document.paths).flatMap(([template, item]) =>
      HTTP_METHODS.filter((m) => item[m]).flatMap((m) => Object.keys((item[m] as OasOperation).responses).map((status) => `${m.toUpperCase()} ${template} ${status}`)),
    );
    return { exercised: documented.filter((d) => this.seen.has(d)), never: documented.filter((d) => !this.seen.has(d)) };
  }

  private validator(key: string, schema: OasSchema): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(closedObjects(schema));
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/**
 * The documented members are all the members: an object schema with `properties` and no word on
 * `additionalProperties` is closed, so a field the gateway sends but the document does not name
 * fails too. (Copies; dereferenced schemas share nodes.)
 */
export function closedObjects(schema: OasSchema, seen = new Map<OasSchema, OasSchema>()): OasSchema {
  const known = seen.get(schema);
  if (known) return known;
  const copy: OasSchema = { ...schema };
  seen.set(schema, copy);
  const sub = (s: unknown): unknown => (s && typeof s === 'object' && !Array.isArray(s) ? closedObjects(s as OasSchema, seen) : s);
  if (copy.properties && typeof copy.properties === 'object') {
    copy.properties = Object.fromEntries(Object.entries(copy.properties as Record<string, OasSchema>).map(([k, v]) => [k, sub(v)]));
    if (copy.additionalProperties === undefined && !copy.allOf) copy.additionalProperties = false;
  }
  if (copy.items) copy.items = sub(copy.items);
  if (copy.additionalProperties && typeof copy.additionalProperties === 'object') copy.additionalProperties = sub(copy.additionalProperties);
  for (const key of ['oneOf', 'anyOf']) if (Array.isArray(copy[key])) copy[key] = (copy[key] as unknown[]).map(sub);
  return copy;
}

function isJson(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function isRouteNotFound(body: unknown): boolean {
  return (body as { error?: { code?: unknown } } | undefined)?.error?.code === 'ROUTE_NOT_FOUND';
}

/** The document the gateway serves, fetched from the app once per process (it is the same for every instance of the code). */
let loaded: Promise<OpenApiConformance> | undefined;

export function conformanceOf(server: Server): Promise<OpenApiConformance> {
  loaded ??= (async () => {
    const res = await request(server).get('/openapi.json');
    if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
    const checker = await OpenApiConformance.load(res.body);
    const coverageFile = process.env.ECONFIRM_OPENAPI_COVERAGE;
    if (coverageFile) process.on('exit', () => writeFileSync(coverageFile, `${JSON.stringify(checker.coverage(), null, 1)}\n`));
    return checker;
  })();
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

/** Checks an answer; throws (or, with ECONFIRM_OPENAPI_REPORT, records) the problems found. */
export async function assertConforms(server: Server, res: request.Response, sent?: unknown): Promise<void> {
  const req = (res as unknown as { req?: { method?: string; path?: string } }).req;
  const method = req?.method ?? 'GET';
  const url = req?.path ?? '';
  const problems = (await conformanceOf(server)).check(method, url, res.status, res.headers['content-type'] as string | undefined, res.body, sent);
  if (problems.length === 0) return;
  const report = process.env.ECONFIRM_OPENAPI_REPORT;
  if (report) {
    for (const problem of problems) appendFileSync(report, `${JSON.stringify({ problem })}\n`);
    return;
  }
  throw new Error(`OpenAPI conformance: ${problems.join('\n')}`);
}

type Agent = ReturnType<typeof request>;
type Test = ReturnType<Agent['get']>;

/**
 * `supertest(server)` whose every answer is checked against the OpenAPI document before the
 * test sees it (awaited requests; `.end(cb)` callers are not checked).
 */
export function checkedRequest(server: Server): Agent {
  const agent = request(server);
  const wrap = (method: 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head') => (url: string): Test => {
    const test = agent[method](url);
    const then = test.then.bind(test);
    test.then = ((onFulfilled, onRejected) =>
      then(async (res) => {
        // superagent keeps what .send() was given; multipart (.field/.attach) and raw buffers are not JSON bodies.
        const data = (test as unknown as { _data?: unknown })._data;
        const json = data !== undefined && typeof data === 'object' && !Buffer.isBuffer(data) && /json/.test(String(test.get('Content-Type') ?? 'application/json'));
        await assertConforms(server, res, json ? data : undefined);
        return res;
      }).then(onFulfilled, onRejected)) as Test['then'];
    return test;
  };
  return Object.assign(Object.create(agent) as Agent, {
    get: wrap('get'),
    post: wrap('post'),
    put: wrap('put'),
    patch: wrap('patch'),
    delete: wrap('delete'),
    del: wrap('delete'),
    head: wrap('head'),
  });
}
