import 'reflect-metadata';
import { expect } from 'chai';
import { ModulesContainer } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject, OperationObject, ParameterObject, ReferenceObject, RequestBodyObject, SchemaObject } from '@nestjs/swagger';
import { ROLES as ALL_ROLES, type Role } from '@econfirm/common';
import { createApiToken } from '@econfirm/sdk';
import { isUUID } from 'class-validator';
import type { JsonWebKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createApp } from '../app.factory';
import { ROLES } from '../auth/decorators';
import { CredentialsStore } from '../auth/credentials.store';
import type { GatewayConfig } from '../config/gateway-config';
import { GatewayError } from '../errors/gateway-error';
import { LedgerService } from '../fabric/ledger.service';
import { everyRoleConfig, EVERY_ROLE_IDENTITY } from '../testing/fixtures';

/**
 * Every path id is validated at the edge, one way (issue 17): a malformed one is refused 400
 * VALIDATION_FAILED, the issue naming the parameter, before anything reaches the ledger; a valid
 * one (the document's example) passes. The routes are read from the app itself — its OpenAPI
 * document, checked against the Express router — so a new route is walked without anyone
 * listing it here.
 */

/** Values no path id of the gateway takes (a space, a separator, a NUL, 300 characters): every parameter must refuse each. */
const MALFORMED = ['has space', 'semi;colon', 'nul\u0000', 'x'.repeat(300)];

/** Nest's lifecycle hooks of LedgerService: called at shutdown, not by a route. */
const LIFECYCLE = new Set(['constructor', 'onModuleInit', 'onApplicationBootstrap', 'onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown']);

/**
 * Records every call into LedgerService, the gateway's only road to Fabric, and refuses it (this
 * test has no network): a route that reached it answers LEDGER_UNAVAILABLE, and the call is seen.
 */
function recordLedgerCalls(ledger: LedgerService): string[] {
  const calls: string[] = [];
  const prototype = Object.getPrototypeOf(ledger) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    if (LIFECYCLE.has(name) || typeof prototype[name] !== 'function') continue;
    Object.defineProperty(ledger, name, {
      value: () => {
        calls.push(name);
        throw new GatewayError('LEDGER_UNAVAILABLE', `no network in this test (LedgerService.${name})`);
      },
    });
  }
  return calls;
}

interface Route {
  method: string;
  template: string;
  operation: OperationObject;
  parameters: ParameterObject[];
}

/** What a route answered: its status, the JSON body (the error envelope when refused) and its type. */
interface Answer {
  status: number;
  body: { error?: { code: string; message: string; details?: { issues?: { path: string }[] }; requestId: string } };
  contentType: string | null;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function pathParameters(operation: OperationObject): ParameterObject[] {
  return (operation.parameters ?? []).filter((p): p is ParameterObject => 'in' in p && p.in === 'path');
}

/** Whether `value` is one the documented schema of a path parameter admits (the constraints path ids use). */
function admits(schema: SchemaObject, value: string): boolean {
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) return false;
  if (schema.enum && !schema.enum.includes(value)) return false;
  if (schema.format === 'uuid' && !isUUID(value)) return false;
  if (schema.type === 'integer' && (!/^-?[0-9]+$/.test(value) || (schema.minimum !== undefined && Number(value) < schema.minimum))) return false;
  return true;
}

/**
 * A body the route's DTO takes, built from the document's examples (required members only), so
 * that the body passes validation and a valid id's route gets past it (a malformed id is judged
 * first whatever the body holds: http/path-params.guard.ts, and the test of it below).
 */
function exampleBody(document: OpenAPIObject, schema: SchemaObject | ReferenceObject | undefined): unknown {
  if (!schema) return undefined;
  if ('$ref' in schema) return exampleBody(document, document.components?.schemas?.[schema.$ref.split('/').pop() ?? '']);
  if (schema.example !== undefined) return schema.example;
  if (schema.enum) return schema.enum[0];
  const alternative = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (alternative) return exampleBody(document, alternative);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part) => exampleBody(document, part) as object));
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((name) => [name, exampleBody(document, schema.properties?.[name])]));
    case 'array':
      return Array.from({ length: schema.minItems ?? 1 }, () => exampleBody(document, schema.items));
    case 'boolean':
      return true;
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    default:
      return undefined;
  }
}

/** The documented example of a path parameter: in its schema, or beside it. */
function exampleOf(parameter: ParameterObject): string | undefined {
  const schema = parameter.schema as SchemaObject | undefined;
  const example: unknown = schema?.example ?? parameter.example;
  return example === undefined ? undefined : String(example);
}

describe('every path id is validated at the edge, before the ledger (issue 17)', function () {
  this.timeout(60_000);
  let config: GatewayConfig;
  let app: NestExpressApplication;
  let base: string;
  let document: OpenAPIObject;
  let ledgerCalls: string[];
  const callers = new Map<Role, { credentialId: string; privateJwk: JsonWebKey }>();
  /** The roles a route admits, by operation id (`<Controller>_<method>`, swagger's default). */
  const rolesByOperation = new Map<string, Role[]>();

  before(async function () {
    const unit = everyRoleConfig();
    config = { ...unit, logLevel: 'error', events: { ...unit.events, enabled: false } };
    app = await createApp(config);
    ledgerCalls = recordLedgerCalls(app.get(LedgerService));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    document = (await (await fetch(`${base}/openapi.json`)).json()) as OpenAPIObject;
    const credentials = app.get(CredentialsStore);
    for (const role of ALL_ROLES) {
      const issued = credentials.issue(EVERY_ROLE_IDENTITY[role]);
      callers.set(role, { credentialId: issued.credential.id, privateJwk: issued.privateJwk });
    }
    for (const module of app.get(ModulesContainer).values()) {
      for (const { metatype } of module.controllers.values()) {
        if (typeof metatype !== 'function') continue;
        const prototype = metatype.prototype as Record<string, unknown>;
        for (const name of Object.getOwnPropertyNames(prototype)) {
          const handler = prototype[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const roles = (Reflect.getMetadata(ROLES, handler) ?? Reflect.getMetadata(ROLES, metatype)) as Role[] | undefined;
          rolesByOperation.set(`${metatype.name}_${name}`, roles ?? [...ALL_ROLES]);
        }
      }
    }
  });

  after(async function () {
    await app?.close();
  });

  function routes(): Route[] {
    return Object.entries(document.paths).flatMap(([template, item]) =>
      METHODS.flatMap((method) => {
        const operation = item[method];
        const parameters = operation ? pathParameters(operation) : [];
        return operation && parameters.length > 0 ? [{ method: method.toUpperCase(), template, operation, parameters }] : [];
      }),
    );
  }

  /** One request as a caller of a role the route admits, with the example body where it takes one (or `bodyOf` when given). */
  async function call(route: Route, values: Record<string, string>, bodyOf?: unknown): Promise<Answer> {
    const url = route.template.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(values[name] ?? ''));
    const roles = rolesByOperation.get(route.operation.operationId ?? '');
    expect(roles, `${route.method} ${route.template}: no controller method for ${route.operation.operationId}`).to.be.an('array').that.is.not.empty;
    const caller = callers.get(roles![0]!)!;
    const token = await createApiToken(caller.credentialId, caller.privateJwk, { audience: config.audience, method: route.method, url: `${config.publicUrl}${url}` });
    const requestBody = route.operation.requestBody as RequestBodyObject | undefined;
    const body = requestBody ? JSON.stringify(bodyOf ?? exampleBody(document, requestBody.content['application/json']?.schema) ?? {}) : undefined;
    const res = await fetch(`${base}${url}`, {
      method: route.method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    let answer: unknown = {};
    try {
      answer = JSON.parse(text);
    } catch {
      answer = { text };
    }
    return { status: res.status, body: answer as Answer['body'], contentType: res.headers.get('content-type') };
  }

  /** A valid value of every path parameter: the document's example. */
  function examples(route: Route): Record<string, string> {
    return Object.fromEntries(route.parameters.map((p) => [p.name, exampleOf(p) ?? '']));
  }

  it('reads the routes from the document, and the document has every route of the router that takes a path parameter', function () {
    const documented = new Set(routes().map((r) => `${r.method} ${r.template}`));
    const router = (app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router;
    const routed = router.stack.flatMap((layer) =>
      layer.route && layer.route.path.includes('/:')
        ? Object.keys(layer.route.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`)
        : [],
    );
    expect(routed.length).to.be.greaterThan(50);
    expect(routed.filter((r) => !documented.has(r))).to.deep.equal([]);
  });

  it('documents each path parameter with its format (pattern, enum, uuid or integer) and an example of it', function () {
    const problems: string[] = [];
    for (const route of routes()) {
      for (const parameter of route.parameters) {
        const schema = (parameter.schema ?? {}) as SchemaObject;
        const where = `${route.method} ${route.template} {${parameter.name}}`;
        if (schema.pattern === undefined && !schema.enum && schema.format !== 'uuid' && schema.type !== 'integer') problems.push(`${where}: no format documented (${JSON.stringify(schema)})`);
        const example = exampleOf(parameter);
        if (example === undefined) problems.push(`${where}: no example`);
        else if (!admits(schema, example)) problems.push(`${where}: the example ${example} is not of the documented format`);
        for (const bad of MALFORMED) if (admits(schema, bad)) problems.push(`${where}: the document admits ${JSON.stringify(bad.slice(0, 12))}`);
      }
      if (!route.operation.responses['400']) problems.push(`${route.method} ${route.template}: 400 not documented`);
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('refuses a malformed id on every route 400 VALIDATION_FAILED, naming the parameter, with no ledger call', async function () {
    const problems: string[] = [];
    let refusals = 0;
    for (const route of routes()) {
      for (const parameter of route.parameters) {
        for (const bad of MALFORMED) {
          const where = `${route.method} ${route.template} {${parameter.name}} = ${JSON.stringify(bad.slice(0, 12))}`;
          const before = ledgerCalls.length;
          const res = await call(route, { ...examples(route), [parameter.name]: bad });
          const error = res.body.error;
          const calls = ledgerCalls.slice(before);
          if (calls.length > 0) problems.push(`${where}: reached the ledger (${calls.join(', ')})`);
          if (res.status !== 400 || error?.code !== 'VALIDATION_FAILED') problems.push(`${where}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          else if (!error.details?.issues?.some((issue) => issue.path === parameter.name)) problems.push(`${where}: no issue names ${parameter.name}: ${JSON.stringify(error.details)}`);
          else if (typeof error.message !== 'string' || typeof error.requestId !== 'string' || !/^application\/json/.test(res.contentType ?? '')) problems.push(`${where}: not the error body: ${res.contentType} ${JSON.stringify(res.body)}`);
          else refusals += 1;
        }
      }
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
    expect(refusals).to.be.greaterThan(200);
  });

  it('answers the malformed id, not a malformed body beside it, on every route that takes a JSON body', async function () {
    const problems: string[] = [];
    let checked = 0;
    for (const route of routes()) {
      const requestBody = route.operation.requestBody as RequestBodyObject | undefined;
      if (!requestBody?.content['application/json']) continue;
      const parameter = route.parameters[0] as ParameterObject;
      const res = await call(route, { ...examples(route), [parameter.name]: MALFORMED[0] as string }, { notAField: 1 });
      const issues = res.body.error?.details?.issues ?? [];
      if (res.status !== 400 || !issues.some((issue) => issue.path === parameter.name)) problems.push(`${route.method} ${route.template}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      else checked += 1;
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
    expect(checked).to.be.greaterThan(20);
  });

  it('lets a valid id through on every route: no issue names a path parameter', async function () {
    const problems: string[] = [];
    const before = ledgerCalls.length;
    for (const route of routes()) {
      const res = await call(route, examples(route));
      const where = `${route.method} ${route.template} ${JSON.stringify(examples(route))}`;
      const named = (res.body.error?.details?.issues ?? []).filter((issue) => route.parameters.some((p) => p.name === issue.path));
      if (res.status === 404 && res.body.error?.code === 'ROUTE_NOT_FOUND') problems.push(`${where}: not routed`);
      if (named.length > 0) problems.push(`${where}: ${JSON.stringify(named)}`);
      if (res.status === 500) problems.push(`${where}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
    // The recorder sees the routes that read the ledger (so "no ledger call" above can fail).
    expect(ledgerCalls.length - before).to.be.greaterThan(30);
  });
});
