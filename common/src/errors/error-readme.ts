import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { API_ERROR_CODES, errorTableMarkdown } from './error-codes';
import { ERROR_CODES } from './ledger-error';

/**
 * The README error tables are generated from the one table (error-codes.ts) between
 * `<!-- error-codes:… -->` markers: gateway/README.md every code with its HTTP status,
 * chaincode/README.md the chaincode's own codes. error-readme.test.ts fails when a README is out
 * of date; `npm run errors:readme` rewrites them.
 */
export const ERROR_TABLE_READMES = [
  { file: 'gateway/README.md', marker: 'error-codes:gateway', table: () => errorTableMarkdown(API_ERROR_CODES) },
  { file: 'chaincode/README.md', marker: 'error-codes:chaincode', table: () => errorTableMarkdown(ERROR_CODES) },
] as const;

/** `text` with the block between `<!-- marker:begin -->` and `<!-- marker:end -->` replaced by `table`. */
export function withErrorTable(text: string, marker: string, table: string): string {
  const begin = `<!-- ${marker}:begin -->`;
  const end = `<!-- ${marker}:end -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`no ${begin} … ${end} block`);
  return `${text.slice(0, from + begin.length)}\n${table}\n${text.slice(to)}`;
}

/** Rewrites every README table under the repository root `root`; answers the files that changed. */
export function writeErrorReadmes(root: string): string[] {
  const changed: string[] = [];
  for (const readme of ERROR_TABLE_READMES) {
    const file = path.join(root, readme.file);
    const text = readFileSync(file, 'utf8');
    const updated = withErrorTable(text, readme.marker, readme.table());
    if (updated !== text) {
      writeFileSync(file, updated);
      changed.push(readme.file);
    }
  }
  return changed;
}

if (require.main === module) {
  const changed = writeErrorReadmes(path.resolve(__dirname, '../../..'));
  process.stdout.write(changed.length > 0 ? `rewrote the error table of ${changed.join(', ')}\n` : 'the README error tables are up to date\n');
}
