/**
 * Canonical JSON: object keys sorted recursively (UTF-16 code-unit order, as RFC 8785), no
 * whitespace. Every endorser must produce the same bytes for the same value, so anything that
 * JSON.stringify would silently drop or coerce (undefined, NaN, Date, Map, class instances,
 * cycles) is refused instead.
 */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

export class CanonicalJsonError extends Error {
  constructor(path: string, problem: string) {
    super(`cannot canonicalize ${path}: ${problem}`);
    this.name = 'CanonicalJsonError';
  }
}

export function canonicalJson(value: unknown): string {
  return serialize(value, '$', new Set<object>());
}

export function canonicalJsonBytes(value: unknown): Uint8Array {
  return Buffer.from(canonicalJson(value), 'utf8');
}

function serialize(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `non-finite number ${value}`);
      return JSON.stringify(value); // -0 prints as 0
    case 'object':
      return serializeContainer(value, path, ancestors);
    default:
      throw new CanonicalJsonError(path, `unsupported type ${typeof value}`);
  }
}

function serializeContainer(value: object, path: string, ancestors: Set<object>): string {
  if (ancestors.has(value)) throw new CanonicalJsonError(path, 'cycle');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((item, i) => serialize(item, `${path}[${i}]`, ancestors)).join(',')}]`;
    }
    if (!isPlainObject(value)) throw new CanonicalJsonError(path, `not a plain object (${value.constructor?.name})`);
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${serialize(record[key], `${path}.${key}`, ancestors)}`);
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
