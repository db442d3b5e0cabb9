import {
  defaultDescriptorPath,
  jsonArgumentWith,
  loadNetworkDescriptor,
  MalformedOfflineMessageError,
  OfflineSigningRefusedError,
  privateKeyDigestSigner,
  signOfflineProposal,
  signOfflineTransaction,
  type ExpectedArgument,
  type ExpectedCall,
  type OfflineEndorsedAnswer,
  type OfflineProposalAnswer,
} from '@econfirm/sdk';
import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

export const OFFLINE_SIGN_USAGE = `usage: econfirm offline sign <answer.json | -> --cert <cert.pem> --key <key.pem> --msp <MSPID>
                            --call <contract>:<Transaction> [--arg <text>]... [--arg-json <object>]...
                            [--transient <key>=<text>]... [--transient-json <key>=<object>]...
                            [--transaction-id <id>] [--channel <name>] [--chaincode <name>]

  Signs what an econfirm gateway asks an offline (non-custodial) identity to sign, after checking
  it: the gateway's answer (the 202 body of any route, or the body of POST …/endorsement) is
  decoded, and channel, chaincode, function, arguments and creator must be exactly what you asked
  for; the digest is computed here from the bytes. Prints the JSON body to POST next:
  { "signature" } for POST /v1/transactions/<id>/endorsement (or …/evaluation for a read), or
  { "signature", "commitSignature" } for POST /v1/transactions/<id>/submission.
  --call            the ledger transaction the route runs (e.g. confirmation:RejectReply; gateway/README.md, The API)
  --arg             an argument, exactly (repeat, in order)
  --arg-json        an argument that is a JSON object with at least these members equal (e.g. '{"feeConsent":true}')
  --transient       an entry of the proposal's transient map, exactly (a receivable or payment-batch step's
                    amount openings travel there: endorsers see them, no block does); a proposal carrying
                    an entry you did not name is refused
  --transient-json  a transient entry that is a JSON object with at least these members equal
                    (e.g. openings='{"amount":{"amount":"100000","salt":"…"}}')
  --transaction-id  the transaction whose proposal you signed (default: the answer's transactionId)
  --channel, --chaincode   default: the network descriptor's ($ECONFIRM_NETWORK_DIR/network.json), else econfirm
  Exit code 0 signed, 1 refused (each difference printed), 2 usage.`;

class OfflineSignUsageError extends Error {}

interface OfflineSignArgs {
  answerFile: string;
  cert: string;
  key: string;
  msp: string;
  call: string;
  args: ExpectedArgument[];
  transient: Record<string, ExpectedArgument>;
  transactionId?: string;
  channel?: string;
  chaincode?: string;
}

export function isOfflineSignInvocation(argv: readonly string[]): boolean {
  return argv[0] === 'offline' && argv[1] === 'sign';
}

function parse(argv: readonly string[]): OfflineSignArgs {
  const found: Partial<OfflineSignArgs> & { args: ExpectedArgument[]; transient: Record<string, ExpectedArgument> } = { args: [], transient: {} };
  const jsonMembers = (option: string, text: string): Record<string, unknown> => {
    let members: unknown;
    try {
      members = JSON.parse(text);
    } catch {
      throw new OfflineSignUsageError(`${option} takes a JSON object, got '${text}'`);
    }
    if (typeof members !== 'object' || members === null || Array.isArray(members)) throw new OfflineSignUsageError(`${option} takes a JSON object, got '${text}'`);
    return members as Record<string, unknown>;
  };
  const keyed = (option: string, text: string): [string, string] => {
    const at = text.indexOf('=');
    if (at <= 0) throw new OfflineSignUsageError(`${option} takes <key>=<value>, got '${text}'`);
    const key = text.slice(0, at);
    if (key in found.transient) throw new OfflineSignUsageError(`${option}: transient key '${key}' given twice`);
    return [key, text.slice(at + 1)];
  };
  for (let i = 2; i < argv.length; i++) {
    const word = argv[i] as string;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new OfflineSignUsageError(`${word} needs a value`);
      return next;
    };
    if (word === '--cert') found.cert = value();
    else if (word === '--key') found.key = value();
    else if (word === '--msp') found.msp = value();
    else if (word === '--call') found.call = value();
    else if (word === '--arg') found.args.push(value());
    else if (word === '--arg-json') found.args.push(jsonArgumentWith(jsonMembers(word, value())));
    else if (word === '--transient') {
      const [key, text] = keyed(word, value());
      found.transient[key] = text;
    } else if (word === '--transient-json') {
      const [key, text] = keyed(word, value());
      found.transient[key] = jsonArgumentWith(jsonMembers(word, text));
    } else if (word === '--transaction-id') found.transactionId = value();
    else if (word === '--channel') found.channel = value();
    else if (word === '--chaincode') found.chaincode = value();
    else if (word === '-h' || word === '--help') throw new OfflineSignUsageError('');
    else if (!word.startsWith('--') && found.answerFile === undefined) found.answerFile = word;
    else throw new OfflineSignUsageError(`unknown option '${word}'`);
  }
  for (const name of ['answerFile', 'cert', 'key', 'msp', 'call'] as const) {
    if (!found[name]) throw new OfflineSignUsageError(name === 'answerFile' ? 'give the gateway answer file (or - for stdin)' : `--${name} is required`);
  }
  if (!/^[A-Za-z]+:[A-Za-z]+$/.test(found.call as string)) throw new OfflineSignUsageError(`--call takes <contract>:<Transaction>, got '${found.call as string}'`);
  return found as OfflineSignArgs;
}

/** Channel and chaincode: given, else the local network descriptor's, else the project's names. */
function network(args: OfflineSignArgs, repoRoot: string): { channel: string; chaincode: string } {
  const file = defaultDescriptorPath(repoRoot);
  const descriptor = existsSync(file) ? loadNetworkDescriptor(file) : undefined;
  return { channel: args.channel ?? descriptor?.channel ?? 'econfirm', chaincode: args.chaincode ?? descriptor?.chaincode.name ?? 'econfirm' };
}

export async function offlineSignCommand(argv: readonly string[], repoRoot: string): Promise<number> {
  let args: OfflineSignArgs;
  try {
    args = parse(argv);
  } catch (err) {
    if (!(err instanceof OfflineSignUsageError)) throw err;
    console.error(err.message ? `econfirm: ${err.message}\n${OFFLINE_SIGN_USAGE}` : OFFLINE_SIGN_USAGE);
    return 2;
  }
  const answer = JSON.parse(readFileSync(args.answerFile === '-' ? 0 : args.answerFile, 'utf8')) as Partial<OfflineProposalAnswer & OfflineEndorsedAnswer>;
  const [contract, transaction] = args.call.split(':') as [string, string];
  const expected: ExpectedCall = {
    ...network(args, repoRoot),
    contract,
    transaction,
    args: args.args,
    ...(Object.keys(args.transient).length > 0 ? { transient: args.transient } : {}),
    creator: { mspId: args.msp, certificatePem: readFileSync(args.cert, 'utf8') },
  };
  const sign = privateKeyDigestSigner(createPrivateKey(readFileSync(args.key)));
  try {
    let body: object;
    if (typeof answer.proposal === 'string' && typeof answer.transactionId === 'string') {
      body = await signOfflineProposal({ transactionId: answer.transactionId, mode: answer.mode ?? 'submit', proposal: answer.proposal }, expected, sign);
    } else if (typeof answer.transaction === 'string' && typeof answer.commitStatusRequest === 'string' && typeof answer.transactionId === 'string') {
      body = await signOfflineTransaction(answer as OfflineEndorsedAnswer, expected, args.transactionId ?? answer.transactionId, sign);
    } else {
      console.error('econfirm: the answer holds neither a proposal nor an endorsed transaction to sign');
      return 1;
    }
    console.log(JSON.stringify(body));
    return 0;
  } catch (err) {
    if (err instanceof OfflineSigningRefusedError) {
      console.error(`econfirm: refused to sign — the gateway asked for something else than ${args.call}:`);
      for (const problem of err.problems) console.error(`  - ${problem}`);
      return 1;
    }
    if (err instanceof MalformedOfflineMessageError) {
      console.error(`econfirm: refused to sign: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
