import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DECORATORS, type OpenAPIObject, type OperationObject, type ParameterObject, type ReferenceObject, type SchemaObject } from '@nestjs/swagger';
import {
  ARRAY_MAX_SIZE,
  ARRAY_MIN_SIZE,
  ARRAY_NOT_EMPTY,
  ARRAY_UNIQUE,
  EQUALS,
  getMetadataStorage,
  IS_BASE64,
  IS_IN,
  IS_INT,
  IS_LENGTH,
  IS_NOT_EMPTY,
  IS_POSITIVE,
  IS_UUID,
  MATCHES,
  MAX,
  MAX_LENGTH,
  MIN,
  MIN_LENGTH,
  type MetadataStorage,
} from 'class-validator';

/**
 * Makes the OpenAPI document as strict as the server (issue 17 §4). The server validates every
 * body, query and DTO path parameter with class-validator (validation.ts: whitelist,
 * forbidNonWhitelisted), but @nestjs/swagger documents only what @ApiProperty repeats: a `@Matches`
 * without a `pattern`, an `@IsInt` on a `number`, a `@Length` without `minLength` make a document
 * that calls valid what the server refuses (schemathesis: "schema-valid request rejected"), and
 * unknown members look allowed though every one is refused.
 *
 * Repeating each constraint in @ApiProperty (about 250 of them) would be a second copy that drifts
 * from the first; instead the decorators stay the one source and this reads class-validator's own
 * metadata for each DTO class behind a component schema, a query or a path parameter, and adds
 * what the document lacks — pattern, integer, minimum/maximum, minLength/maxLength, enum,
 * minItems/maxItems, uniqueItems, format uuid, base64 — and closes each validated object (additionalProperties: false);
 * a request body of two media types gets each its own schema (splitByMediaType).
 * What is known only at run time is also applied here: no string can be longer than the body
 * limit lets it be. Every path parameter is a DTO's (http/path-params.ts); the headers checked in
 * code rather than by a DTO (Idempotency-Key, Last-Event-ID) are declared where they are checked,
 * with @ApiHeader (common.dto.ts).
 */
export interface TightenOptions {
  /** limits.bodyBytes: a string member cannot be longer than a body the gateway reads. */
  bodyBytes: number;
}

type Constructor = abstract new (...args: never[]) => unknown;
/** One decorator's record in class-validator's storage (the type is not exported by name). */
type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

const BASE64_PATTERN = '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';

/** Room for the other members, quotes and brackets of a body around its longest string member. */
const BODY_OVERHEAD_BYTES = 4096;

/** A DTO class's constraints by property name (inherited ones included, no groups). */
function constraintsOf(target: Constructor): Map<string, ValidationMetadata[]> {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(target, '', false, false)) {
    if (m.groups && m.groups.length > 0) continue;
    byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  }
  return byProperty;
}

/**
 * Every class class-validator holds constraints of, by name. class-validator offers no public
 * list of its targets: its storage's map is read (private in its typings, stable since 0.12).
 * A name two classes share is left out — its schema could be either (swagger warns of it too).
 */
function validatedClassesByName(): Map<string, Constructor> {
  const storage = getMetadataStorage() as unknown as { validationMetadatas?: Map<Constructor, unknown> };
  const byName = new Map<string, Constructor | null>();
  for (const target of storage.validationMetadatas?.keys() ?? []) {
    if (typeof target !== 'function' || !target.name) continue;
    byName.set(target.name, byName.has(target.name) && byName.get(target.name) !== target ? null : target);
  }
  return new Map([...byName].filter((entry): entry is [string, Constructor] => entry[1] !== null));
}

function isRef<T extends object>(value: T | ReferenceObject | undefined): value is ReferenceObject {
  return value !== undefined && '$ref' in value;
}

/** A JavaScript RegExp as an OpenAPI (ECMA 262) pattern; flags other than u and g cannot be said there. */
function patternOf(constraint: unknown, modifiers: unknown): string | undefined {
  const regex = constraint instanceof RegExp ? constraint : typeof constraint === 'string' ? new RegExp(constraint, typeof modifiers === 'string' ? modifiers : undefined) : undefined;
  if (!regex || /[imsy]/.test(regex.flags)) return undefined;
  return regex.source;
}

/** Adds one property's class-validator constraints to its schema (only what the schema does not say already). */
function applyConstraints(schema: SchemaObject, metadata: ValidationMetadata[]): void {
  for (const m of metadata) {
    if (m.type !== 'customValidation' || !m.name) continue;
    const target = m.each ? (schema.type === 'array' && schema.items && !isRef(schema.items) ? schema.items : undefined) : schema;
    if (!target) continue;
    const c: unknown[] = m.constraints ?? [];
    const num = (i: number): number | undefined => (typeof c[i] === 'number' ? c[i] : undefined);
    switch (m.name) {
      case MATCHES: {
        const pattern = patternOf(c[0], c[1]);
        if (pattern !== undefined && target.pattern === undefined) target.pattern = pattern;
        break;
      }
      case IS_IN:
        if (!target.enum && Array.isArray(c[0]) && c[0].every((v) => typeof v === 'string' || typeof v === 'number')) target.enum = [...(c[0] as (string | number)[])];
        break;
      case IS_INT:
        target.type = 'integer';
        break;
      case MIN:
        if (num(0) !== undefined && (target.minimum === undefined || target.minimum < num(0)!)) target.minimum = num(0);
        break;
      case MAX:
        if (num(0) !== undefined && (target.maximum === undefined || target.maximum > num(0)!)) target.maximum = num(0);
        break;
      case IS_POSITIVE:
        if (target.minimum === undefined) {
          target.minimum = 0;
          target.exclusiveMinimum = true;
        }
        break;
      case MIN_LENGTH:
      case IS_NOT_EMPTY:
        if (m.name === IS_NOT_EMPTY && target.type !== 'string') break;
        target.minLength = Math.max(target.minLength ?? 0, num(0) ?? 1);
        break;
      case MAX_LENGTH:
        if (num(0) !== undefined) target.maxLength = Math.min(target.maxLength ?? Infinity, num(0)!);
        break;
      case IS_LENGTH:
        if (num(0) !== undefined) target.minLength = Math.max(target.minLength ?? 0, num(0)!);
        if (num(1) !== undefined) target.maxLength = Math.min(target.maxLength ?? Infinity, num(1)!);
        break;
      case ARRAY_MIN_SIZE:
      case ARRAY_NOT_EMPTY:
        target.minItems = Math.max(target.minItems ?? 0, num(0) ?? 1);
        break;
      case ARRAY_MAX_SIZE:
        if (num(0) !== undefined) target.maxItems = Math.min(target.maxItems ?? Infinity, num(0)!);
        break;
      case ARRAY_UNIQUE:
        target.uniqueItems = true;
        break;
      case EQUALS:
        if (!target.enum && (typeof c[0] === 'string' || typeof c[0] === 'number' || typeof c[0] === 'boolean')) target.enum = [c[0]];
        break;
      case IS_BASE64:
        // validator.js' isBase64 without options: groups of four, padding only at the end ('' included).
        if (target.pattern === undefined && !(c[0] as { urlSafe?: boolean } | undefined)?.urlSafe) target.pattern = BASE64_PATTERN;
        break;
      case IS_UUID:
        target.format ??= 'uuid';
        break;
      default:
        break;
    }
  }
}

/**
 * No string member can be longer than the body the gateway reads (413 before any validation): a
 * declared maxLength above it is lowered. One without any stays without (an unbounded string is
 * bounded by the body limit all the same, and the 413 is documented).
 */
function capStrings(schema: SchemaObject, options: TightenOptions): void {
  const cap = Math.max(1, options.bodyBytes - BODY_OVERHEAD_BYTES);
  for (const s of [schema, schema.type === 'array' && schema.items && !isRef(schema.items) ? schema.items : undefined]) {
    if (s && s.type === 'string' && s.maxLength !== undefined && s.maxLength > cap) s.maxLength = cap;
    if (s && s.minLength !== undefined && s.maxLength !== undefined && s.minLength > s.maxLength) s.minLength = s.maxLength;
  }
}

/** A component schema of a validated DTO: every member constrained, unknown members refused. */
function tightenSchema(schema: SchemaObject, target: Constructor, options: TightenOptions): void {
  const constraints = constraintsOf(target);
  if (constraints.size === 0) return;
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (isRef(property)) continue;
    const metadata = constraints.get(name);
    if (metadata) applyConstraints(property, metadata);
    capStrings(property, options);
  }
  // whitelist + forbidNonWhitelisted (validation.ts): the server refuses every member the DTO does not name.
  if (schema.type === 'object' && schema.additionalProperties === undefined) schema.additionalProperties = false;
}

/** The DTO classes of a controller method's @Query() and @Param() (whole-object) arguments. */
function parameterDtos(controller: Constructor, method: string): { location: 'query' | 'path'; dto: Constructor }[] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, { index: number; data?: unknown }>;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? []) as unknown[];
  const found: { location: 'query' | 'path'; dto: Constructor }[] = [];
  for (const [key, arg] of Object.entries(args)) {
    const kind = Number(key.split(':')[0]);
    const location = kind === Number(RouteParamtypes.QUERY) ? 'query' : kind === Number(RouteParamtypes.PARAM) ? 'path' : undefined;
    const type = types[arg.index];
    if (location && arg.data === undefined && typeof type === 'function') found.push({ location, dto: type as Constructor });
  }
  return found;
}

/** The classes a controller's methods name in @ApiBody({ type }). */
function apiBodyTypes(controller: Constructor): Constructor[] {
  const prototype = controller.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype).flatMap((name) => {
    const handler = name === 'constructor' ? undefined : prototype[name];
    if (typeof handler !== 'function') return [];
    const parameters = (Reflect.getMetadata(DECORATORS.API_PARAMETERS, handler) ?? []) as { in?: string; type?: unknown }[];
    return parameters.filter((p) => p.in === 'body' && typeof p.type === 'function' && (p.type as Constructor).name).map((p) => p.type as Constructor);
  });
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

function isBinaryString(schema: SchemaObject | ReferenceObject): boolean {
  return !isRef(schema) && schema.type === 'string' && schema.format === 'binary';
}

/**
 * @ApiBody gives every media type of an operation the same schema; where that is a oneOf of a
 * JSON shape and raw bytes (POST /v1/evidence/verify), a JSON body is never the raw bytes (a bare
 * JSON string is refused) and a raw body never the JSON shape: each media type keeps its own.
 */
function splitByMediaType(operation: OperationObject): void {
  const body = operation.requestBody;
  if (!body || isRef(body)) return;
  for (const [type, media] of Object.entries(body.content)) {
    const schema = media.schema;
    if (!schema || isRef(schema) || !schema.oneOf) continue;
    const json = /[/+]json$/.test(type);
    const kept = schema.oneOf.filter((alternative) => isBinaryString(alternative) !== json);
    if (kept.length > 0 && kept.length < schema.oneOf.length) media.schema = kept.length === 1 ? kept[0] : { ...schema, oneOf: kept };
  }
}

/**
 * Tightens `document` in place (and returns it) from the class-validator constraints of the DTO
 * classes behind its component schemas and of `controllers`' query and path parameter DTOs.
 * Operation ids must be swagger's default, `<Controller>_<method>`.
 */
export function tightenFromValidators(document: OpenAPIObject, controllers: Constructor[], options: TightenOptions): OpenAPIObject {
  const classes = validatedClassesByName();
  // An @ApiBody type may add only what the server does not validate (the upload's `file` beside
  // the fields' DTO): its constraints are its parent's, and class-validator's storage names only
  // the parent.
  for (const controller of controllers) {
    for (const type of apiBodyTypes(controller)) if (!classes.has(type.name)) classes.set(type.name, type);
  }
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    const target = classes.get(name);
    if (target && !isRef(schema)) tightenSchema(schema, target, options);
  }
  const byName = new Map(controllers.map((c) => [c.name, c]));
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item[method];
      if (!operation) continue;
      splitByMediaType(operation);
      if (!operation.operationId || !operation.parameters) continue;
      const [controllerName, handler] = operation.operationId.split('_');
      const controller = controllerName ? byName.get(controllerName) : undefined;
      if (!controller || !handler) continue;
      for (const { location, dto } of parameterDtos(controller, handler)) {
        const constraints = constraintsOf(dto);
        for (const parameter of operation.parameters) {
          if (isRef<ParameterObject>(parameter) || parameter.in !== location) continue;
          const p = parameter;
          const metadata = constraints.get(p.name);
          if (!metadata) continue;
          p.schema = isRef(p.schema) ? p.schema : { ...(p.schema ?? {}) };
          if (!isRef(p.schema)) applyConstraints(p.schema, metadata);
        }
      }
    }
  }
  return document;
}
