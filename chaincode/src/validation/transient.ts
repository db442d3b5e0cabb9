import { Context } from 'fabric-contract-api';
import { FieldReader, invalid } from './field-reader';

/** Bounds a transient value before parsing: a 500-payee batch is ~100 KiB. */
export const MAX_TRANSIENT_BYTES = 4 * 1024 * 1024;

/**
 * A JSON object from the transaction's transient map, which endorsing peers see and no block
 * records: where the openings of sealed amounts travel (models/receivable-input.ts). Fields are
 * named from `<name>` (`openings.parts[1].salt`).
 */
export function readTransientJson(ctx: Context, name: string): FieldReader {
  const bytes = ctx.stub.getTransient().get(name);
  if (!bytes || bytes.length === 0) throw invalid(name, 'is missing from the transient map');
  if (bytes.length > MAX_TRANSIENT_BYTES) throw invalid(name, `is over ${MAX_TRANSIENT_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw invalid(name, 'is not valid JSON');
  }
  return FieldReader.of(parsed, name);
}
