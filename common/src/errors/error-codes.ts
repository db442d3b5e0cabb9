import type { ErrorCode } from './ledger-error';

/** One error code: the HTTP status the gateway answers it with, and when it is given. */
export interface ErrorCodeEntry {
  readonly status: number;
  readonly when: string;
}

/**
 * The chaincode's refusals (ledger-error.ts), as the gateway answers them. Typed against
 * ErrorCode, so a new chaincode code cannot be left without a status.
 *
 * INVALID_ARGUMENT is 422 wherever it comes from: the request was well-formed but a value is
 * refused (by the chaincode, or by the gateway against what it holds). A request whose shape is
 * wrong (types, formats, missing fields) is 400 VALIDATION_FAILED, before anything is asked.
 */
const LEDGER_ERRORS = {
  FORBIDDEN: { status: 403, when: 'wrong MSP, role, institution or party; suspended institution; same identity preparing and approving (the gateway refuses early what it can)' },
  CONSENT_REQUIRED: {
    status: 403,
    when: "a change of an institution's keys or hosting without its consent: a compact JWS by its current registry signing key over exactly that change and record version (`details`: none; the text says what is wrong), or a regulator's recovery approval of exactly that change",
  },
  NOT_FOUND: {
    status: 404,
    when: 'unknown institution or confirmation id — and a confirmation the caller is no party to (or, for the responder, not yet delivered): the refusal is word for word the one for an unknown id, so strangers cannot probe which ids exist',
  },
  ALREADY_EXISTS: { status: 409, when: 'duplicate institution id or request id; a second platform pseudonym key (`SetPseudonymKey`)' },
  INVALID_ARGUMENT: { status: 422, when: 'a well-formed value refused; from the chaincode the text starts with the field path: `encryptionKey.jwk.x: …`, `requests[3].addresseeId: …`' },
  RECIPIENTS_REFUSED: {
    status: 422,
    when: 'content sealed to someone not yet entitled to read it, or widened other than by appending: Issue/Resend letters to exactly firm and client; PrepareReply to exactly firm and responder; ClientAuthorize `letterCiphertext` / AuditorAccept `replyCiphertext` the same JWE (protected header, iv, ciphertext, tag, aad, existing recipients in order) with exactly the responder (and addressed branch) / the client appended, by current registry key id (the text says what differs); the sealed content of the other ledgers — mortgage applications and certificates, receivable terms, limits and issued totals, payment-batch summaries and lines, cross-check summaries — to exactly the parties the record names at that step, no one missing, no one beside them',
  },
  INVALID_STATE_TRANSITION: { status: 409, when: '`cannot <Action> confirmation <id>: it is <state>` or `…: it is not overdue`' },
  CONFLICT: {
    status: 409,
    when: "a conflicting operation: the gateway's key rotation already running; a receivable confirmation whose opening of the obligor's issued total or limit is no longer the one on the ledger (another confirmation or a new limit came first: read them again)",
  },
  LIEN_EXISTS: { status: 409, when: 'financing a receivable that, or one of whose invoices, already carries an active lien (at most one per receivable and per invoice, across all banks)' },
  LIMIT_EXCEEDED: { status: 409, when: "confirming a receivable would take the obligor's issued total past the limit the platform set for it (or no limit is set)" },
  INTERNAL: { status: 500, when: 'a bug, logged with the request id; reserved in the chaincode' },
} as const satisfies Record<ErrorCode, ErrorCodeEntry>;

/** The gateway's own codes: its edge checks, custody, offline signing, Fabric failures, features. */
const GATEWAY_ERRORS = {
  VALIDATION_FAILED: { status: 400, when: 'wrong types, formats, missing or unknown fields (`details.issues[]: {path, problem}`)' },
  MALFORMED_JSON: { status: 400, when: 'the body is not JSON, or not UTF-8' },
  JSON_TOO_DEEP: { status: 400, when: 'a JSON body nested deeper than `limits.jsonDepth` arrays and objects (`details.maxDepth`)' },
  BAD_REQUEST: { status: 400, when: 'a request the HTTP layer refused otherwise' },
  INVALID_SIGNATURE: { status: 400, when: 'an offline signature that is not a base64 DER ECDSA P-256 signature (strict DER, r and s in range)' },
  UNAUTHENTICATED: { status: 401, when: 'missing or invalid token' },
  TOKEN_EXPIRED: { status: 401, when: 'the token has expired' },
  TOKEN_REPLAYED: { status: 401, when: 'the token id (jti) was seen before' },
  UNKNOWN_TENANT: { status: 401, when: 'the credential names a tenant this gateway does not host' },
  CREDENTIAL_REVOKED: { status: 401, when: "a bulk job's `error.code` when its credential was revoked while it ran" },
  IDENTITY_REFUSED: { status: 403, when: 'the network refused the certificate (revoked, unknown MSP, wrong key)' },
  MORTGAGE_ACCESS_NOT_GRANTED: {
    status: 403,
    when: "a cross-check without the client's current grant of its registrations to the firm (`POST /v1/mortgages/auditor-access` by the client; `details.clientId`, `details.firmId`)",
  },
  CONTENT_NOT_READABLE: { status: 403, when: "the content is not addressed to the caller's institution, or its key cannot open it" },
  ROUTE_NOT_FOUND: { status: 404, when: 'no such route' },
  PORTAL_NOT_BUILT: { status: 404, when: "the web portal's files were not built" },
  METHOD_NOT_ALLOWED: { status: 405, when: 'the route does not take this method' },
  NOT_ACCEPTABLE: { status: 406, when: 'no answer in an accepted media type' },
  MVCC_CONFLICT: { status: 409, when: 'read conflicts persisted after retries with fresh transactions' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, when: 'same Idempotency-Key, the first request still running' },
  OFFLINE_SIGNING_REQUIRED: { status: 409, when: 'the step needs a custodial identity (or the offline flow)' },
  OFFLINE_READ_UNAVAILABLE: { status: 409, when: "the tenant has no custodial identity for the gateway's own reads" },
  ALREADY_FINISHED: { status: 409, when: 'the offline transaction already has its outcome' },
  NO_INSTITUTION_KEYS: { status: 409, when: "this gateway holds no private keys of the caller's institution (to open, sign, seal or rotate)" },
  KEY_STORE_MISMATCH: { status: 409, when: 'the registry holds keys this gateway does not' },
  CROSS_CHECK_NOT_READY: { status: 409, when: 'a cross-check of a request (any kind) whose reply the auditor has not accepted (`details.state`)' },
  CERTIFICATE_NOT_ISSUED: { status: 409, when: 'a registration certificate of a mortgage that is not registered (applied, pre-registered, rejected or awaiting the reviewer before registration: `details.state`)' },
  VOUCHER_NOT_ISSUED: { status: 409, when: 'a voucher (电子债权凭证) of a receivable its obligor has not confirmed (registered, rejected or cancelled: `details.state`): none was issued' },
  ID_CONFLICT: { status: 409, when: 'a request id is taken by a request this firm cannot read' },
  PROPOSAL_EXPIRED: { status: 410, when: 'an offline proposal waited too long' },
  PAYLOAD_TOO_LARGE: { status: 413, when: 'body over `limits.bodyBytes`' },
  UPLOAD_TOO_LARGE: { status: 413, when: 'an uploaded file over `bulk.uploadBytes`' },
  TOO_MANY_ROWS: { status: 413, when: 'an uploaded table over a `bulk` row limit (`details` names it)' },
  TOO_MANY_CELLS: { status: 413, when: 'an uploaded table over a `bulk` cell limit (`details` names it)' },
  UNCOMPRESSED_TOO_LARGE: { status: 413, when: 'an XLSX that unpacks to more than a `bulk` limit (`details` names it)' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, when: 'a body encoding or charset the gateway does not read' },
  INVALID_CONTENT: { status: 422, when: 'letter or reply off its form (`details.issues[]`)' },
  INVALID_FILE: { status: 422, when: 'an upload that is not a readable CSV or XLSX' },
  ROWS_INVALID: { status: 422, when: 'bad rows in an upload (`details.issues[]: {line, field, problem}`); nothing issued or settled' },
  WEBHOOK_URL_NOT_ALLOWED: { status: 422, when: 'a webhook URL the egress settings refuse: credentials in it, or a non-public address / `localhost` (`details.reason`)' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, when: 'same Idempotency-Key, different request' },
  TOO_MANY_REQUESTS: { status: 429, when: 'rate limited' },
  HEADERS_TOO_LARGE: { status: 431, when: "request headers over Node's `--max-http-header-size` (16 KiB by default); the connection is closed" },
  EVIDENCE_UNREADABLE: { status: 422, when: 'a document to verify that a verifier cannot read within its memory bound (`evidence.verifier.workerHeapMb`); nothing about it was established' },
  VERIFY_TIME_EXCEEDED: { status: 422, when: 'a document to verify that took longer than `evidence.verifier.timeoutSeconds` to check; the verifier was stopped and nothing about it was established' },
  EVIDENCE_FAILED: { status: 500, when: 'evidence could not be generated (logged)' },
  BULK_STATE_LOST: { status: 500, when: "a bulk job's stored state is gone" },
  ENDORSEMENT_FAILED: { status: 502, when: 'Fabric failed at endorsement (details: phase, transaction id)' },
  ORDERING_FAILED: { status: 502, when: 'Fabric failed at ordering' },
  EVALUATION_FAILED: { status: 502, when: 'Fabric failed at evaluation' },
  TRANSACTION_INVALID: { status: 502, when: 'the transaction was invalidated at commit (details.validationCode)' },
  WEBHOOK_DELIVERY_FAILED: { status: 502, when: 'a redelivered event the receiver did not accept (details: httpStatus, error)' },
  IMPORT_INTERRUPTED: { status: 503, when: "a payment-batch import's progress (`GET /v1/payment-batches/imports/{key}`) when the gateway stopped before the import's outcome: send the file again with the same Idempotency-Key — a batch that committed is answered, not settled twice" },
  VERIFIER_BUSY: { status: 503, when: 'every evidence verifier is busy and its queue (`evidence.verifier.queue`) is full; `Retry-After` says when to try again' },
  LEDGER_UNAVAILABLE: { status: 503, when: 'peers or orderers unreachable' },
  NOT_READY: { status: 503, when: '`/readyz`: a tenant cannot reach the ledger' },
  HSM_UNAVAILABLE: { status: 503, when: 'the HSM token refused (wrong PIN, no such key or token)' },
  EVIDENCE_NOT_CONFIGURED: { status: 503, when: 'no evidence signing key is configured' },
  ANCHORING_NOT_CONFIGURED: { status: 503, when: 'an anchor check asked of a gateway configured with no EVM chain (`anchoring`)' },
  LEDGER_TIMEOUT: { status: 504, when: 'a deadline passed' },
  COMMIT_STATUS_UNKNOWN: { status: 504, when: 'submitted, the outcome is unknown (`details.transactionId`): ask again' },
} as const satisfies Record<string, ErrorCodeEntry>;

/** What the evidence verifier refuses in a document (clients/evidence/src/model/evidence-document.ts). */
const EVIDENCE_ERRORS = {
  MALFORMED: { status: 422, when: 'evidence that is not a well-formed evidence PDF or bundle' },
  UNKNOWN_FORMAT: { status: 422, when: 'evidence of a format this verifier does not know' },
  CONTENT_MISMATCH: { status: 422, when: "evidence content that does not match the ledger's hashes" },
  SIGNATURE_MISMATCH: { status: 422, when: 'a signature in the evidence that does not verify' },
  MISSING_KEY: { status: 422, when: 'evidence naming a key the registry does not hold' },
  MISSING_REPLY: { status: 422, when: 'evidence without the reply it claims' },
  MISSING_SIGNATURE: { status: 422, when: 'evidence without a signature it needs' },
  MISSING_TRANSACTION: { status: 422, when: 'evidence naming a transaction the ledger does not hold' },
} as const satisfies Record<string, ErrorCodeEntry>;

/** Every error code a caller of econfirm can receive → its HTTP status: the one table (gateway/README.md "Error codes" is generated from it). */
export const ERROR_TABLE = { ...LEDGER_ERRORS, ...GATEWAY_ERRORS, ...EVIDENCE_ERRORS } as const;

export type ApiErrorCode = keyof typeof ERROR_TABLE;

export const API_ERROR_CODES = Object.keys(ERROR_TABLE) as ApiErrorCode[];

export function isApiErrorCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(ERROR_TABLE, code);
}

export function httpStatusOf(code: ApiErrorCode): number {
  return ERROR_TABLE[code].status;
}

/** The Markdown table of `codes` (README "Error codes"), ordered by status then as listed here. */
export function errorTableMarkdown(codes: readonly ApiErrorCode[] = API_ERROR_CODES, withStatus = true): string {
  const rows = [...codes]
    .map((code, index) => ({ code, index, ...ERROR_TABLE[code] }))
    .sort((a, b) => a.status - b.status || a.index - b.index)
    .map((r) => (withStatus ? `| ${r.status} | \`${r.code}\` | ${r.when} |` : `| \`${r.code}\` | ${r.when} |`));
  const head = withStatus ? ['| HTTP | code | when |', '| --- | --- | --- |'] : ['| code | when |', '| --- | --- |'];
  return [...head, ...rows].join('\n');
}

/** OpenAPI text for one response status: each code with when it is given (every code must have that status). */
export function errorCodesText(status: number, codes: readonly ApiErrorCode[]): string {
  for (const code of codes) {
    if (ERROR_TABLE[code].status !== status) throw new Error(`error code ${code} is answered ${ERROR_TABLE[code].status}, not ${status}`);
  }
  return codes.map((code) => `${code}: ${ERROR_TABLE[code].when}`).join('; ');
}

