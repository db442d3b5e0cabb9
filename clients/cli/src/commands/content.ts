import { addRecipients, recipientOf, RegistryClient, type InstitutionPrivateKeys, type LedgerSession } from '@econfirm/sdk';
import { readFileSync } from 'node:fs';

export const CONTENT_USAGE = `  content widen <jwe.json|-> --keys <ID.keys.json> --to <institution-id>...
                               seal content to more institutions with your own key (sealed when the
                               right arises): the client adds the responder (and branch) to a letter,
                               the firm the client to a reply; prints the JWE to send as
                               letterCiphertext / replyCiphertext (gateway/README.md)`;

export class ContentUsageError extends Error {}

/** The JWE text from a file holding the JWE itself or anything with a `ciphertext` string (a letter, a reply, a view's part). */
function ciphertextOf(text: string, source: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ContentUsageError(`${source} is not JSON`);
  }
  if (parsed && typeof parsed === 'object' && Array.isArray((parsed as { recipients?: unknown }).recipients)) return JSON.stringify(parsed);
  const ciphertext = (parsed as { ciphertext?: unknown } | null)?.ciphertext;
  if (typeof ciphertext === 'string') return ciphertext;
  throw new ContentUsageError(`${source} holds neither a General-JSON JWE nor an object with a ciphertext`);
}

/**
 * `content widen`: the participant's own software widens sealed content, so a gateway that does
 * not hold its institution key never needs it. The new recipients' current keys come from the
 * registry (read as --as); the SDK's addRecipients checks the JWE opens with the key file first.
 */
export async function contentCommand(ledger: LedgerSession, words: readonly string[], print: (text: string) => void): Promise<void> {
  const [verb, file, ...rest] = words;
  if (verb !== 'widen' || !file) throw new ContentUsageError('content widen needs <jwe.json|->');
  let keysFile: string | undefined;
  const to: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[++i];
    if (value === undefined) throw new ContentUsageError(`${flag ?? ''} needs a value`);
    if (flag === '--keys') keysFile = value;
    else if (flag === '--to') to.push(value);
    else throw new ContentUsageError(`unknown option '${flag ?? ''}'`);
  }
  if (!keysFile) throw new ContentUsageError('--keys <ID.keys.json> is required: the key that opens the content');
  if (to.length === 0) throw new ContentUsageError('--to <institution-id> is required (repeat for several)');
  const ciphertext = ciphertextOf(readFileSync(file === '-' ? 0 : file, 'utf8'), file === '-' ? 'standard input' : file);
  const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as InstitutionPrivateKeys;
  const registry = new RegistryClient(ledger);
  const recipients = await Promise.all(to.map(async (id) => recipientOf(await registry.get(id))));
  print(await addRecipients(ciphertext, keys, recipients));
}
