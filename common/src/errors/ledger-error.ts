/**
 * Errors that cross the Fabric boundary. Fabric only carries a message string, so the wire format
 * is `"<CODE>: <human text>"`; clients recover the code with parseLedgerError.
 */
export const ErrorCode = {
  Forbidden: 'FORBIDDEN',
  ConsentRequired: 'CONSENT_REQUIRED',
  NotFound: 'NOT_FOUND',
  AlreadyExists: 'ALREADY_EXISTS',
  InvalidArgument: 'INVALID_ARGUMENT',
  RecipientsRefused: 'RECIPIENTS_REFUSED',
  InvalidStateTransition: 'INVALID_STATE_TRANSITION',
  Conflict: 'CONFLICT',
  LienExists: 'LIEN_EXISTS',
  LimitExceeded: 'LIMIT_EXCEEDED',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_CODES: readonly ErrorCode[] = Object.values(ErrorCode);

export class LedgerError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly text: string,
  ) {
    super(formatLedgerError(code, text));
    this.name = 'LedgerError';
  }
}

export function formatLedgerError(code: ErrorCode, text: string): string {
  return `${code}: ${text}`;
}

export interface ParsedLedgerError {
  code: ErrorCode;
  /** The human text after "CODE: ". */
  text: string;
  /** The chaincode's whole wire message, "CODE: text", without Fabric's wrapping. */
  message: string;
}

// Some of our codes are also gRPC status names ("5 NOT_FOUND: …"), so the gRPC status prefix is
// dropped first and a chaincode's own message (after "chaincode response 500, ") is preferred.
const GRPC_STATUS_PREFIX = /^\d+ [A-Z_]+: /;
const CHAINCODE_RESPONSE = /chaincode response \d+, ([\s\S]*)$/;
const CODED = new RegExp(`(?:^|[^A-Z0-9_])(${ERROR_CODES.join('|')}): ([\\s\\S]*)$`);

/** Extracts code and text from an error message or a Fabric error detail string, if it holds one. */
export function parseLedgerError(message: string): ParsedLedgerError | undefined {
  const withoutGrpc = message.replace(GRPC_STATUS_PREFIX, '');
  const chaincodeMessage = CHAINCODE_RESPONSE.exec(withoutGrpc)?.[1] ?? withoutGrpc;
  const match = CODED.exec(chaincodeMessage);
  if (!match) return undefined;
  const code = match[1] as ErrorCode;
  const text = match[2].trim();
  return { code, text, message: formatLedgerError(code, text) };
}
