import { ErrorCode, isOneOf, LedgerError } from '@econfirm/common';

export type JsonObject = Record<string, unknown>;

export function invalid(field: string, problem: string): LedgerError {
  return new LedgerError(ErrorCode.InvalidArgument, `${field}: ${problem}`);
}

/**
 * Parses a transaction's JSON argument; anything but a JSON object is refused under the argument's
 * name. Fields inside are named from the top (`encryptionKey.jwk.x`, `requests[2].id`).
 */
export function parseJsonArgument(json: string, argument: string): FieldReader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw invalid(argument, 'is not valid JSON');
  }
  FieldReader.of(parsed, argument);
  return FieldReader.of(parsed, '');
}

export interface StringRule {
  pattern?: RegExp;
  maxLength?: number;
}

// Control characters are refused in every text field: they only serve to spoof logs and UIs.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const DEFAULT_MAX_LENGTH = 256;

/**
 * Reads fields of an untrusted JSON object, failing with INVALID_ARGUMENT that names the field
 * path (e.g. `encryptionKey.jwk.x`). Validating factories read through it, so nothing is written
 * unless every field passed.
 */
export class FieldReader {
  private constructor(
    private readonly fields: JsonObject,
    readonly path: string,
  ) {}

  static of(value: unknown, path: string): FieldReader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, 'must be a JSON object');
    return new FieldReader(value as JsonObject, path);
  }

  fieldPath(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  has(name: string): boolean {
    return this.fields[name] !== undefined && this.fields[name] !== null;
  }

  raw(name: string): unknown {
    return this.fields[name];
  }

  /** Refuses members the model does not know, so a misspelt optional field is not silently lost. */
  allowOnly(names: readonly string[]): this {
    const unknown = Object.keys(this.fields).filter((key) => !names.includes(key)).sort();
    if (unknown.length > 0) throw invalid(this.fieldPath(unknown[0]), 'is not a known field');
    return this;
  }

  string(name: string, rule: StringRule = {}): string {
    return checkString(this.fields[name], this.fieldPath(name), rule);
  }

  optionalString(name: string, rule: StringRule = {}): string | undefined {
    return this.has(name) ? this.string(name, rule) : undefined;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T {
    const value = this.fields[name];
    if (!isOneOf(values, value)) throw invalid(this.fieldPath(name), `must be one of ${values.join(', ')}`);
    return value;
  }

  boolean(name: string): boolean {
    const value = this.fields[name];
    if (typeof value !== 'boolean') throw invalid(this.fieldPath(name), 'must be true or false');
    return value;
  }

  integer(name: string, min: number, max: number): number {
    const value = this.fields[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw invalid(this.fieldPath(name), `must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  object(name: string): FieldReader {
    return FieldReader.of(this.fields[name], this.fieldPath(name));
  }

  optionalObject(name: string): FieldReader | undefined {
    return this.has(name) ? this.object(name) : undefined;
  }

  array(name: string, minItems: number, maxItems: number): unknown[] {
    const value = this.fields[name];
    if (!Array.isArray(value) || value.length < minItems || value.length > maxItems) {
      throw invalid(this.fieldPath(name), `must be an array of ${minItems} to ${maxItems} items`);
    }
    return value;
  }
}

export function checkString(value: unknown, field: string, rule: StringRule = {}): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(field, 'must be a non-empty string');
  if (value.length > (rule.maxLength ?? DEFAULT_MAX_LENGTH)) throw invalid(field, `must be at most ${rule.maxLength ?? DEFAULT_MAX_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(value)) throw invalid(field, 'must not contain control characters');
  if (rule.pattern && !rule.pattern.test(value)) throw invalid(field, `has an invalid format (expected ${rule.pattern.source})`);
  return value;
}
