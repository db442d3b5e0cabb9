/**
 * The ledger's id and hash formats, written once: the chaincode validates with them
 * (chaincode/src/models), the gateway's DTOs and config use the same patterns (gateway/src/*\/dto,
 * gateway/src/config/gateway-config.ts), so nothing the chaincode would refuse passes the edge.
 * Ids become composite-key parts, hence no separators or NULs.
 */
export const INSTITUTION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const REGISTRATION_ID = /^[0-9A-Za-z-]{4,40}$/;
export const KEY_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** base64url of a 32-byte P-256 coordinate, unpadded. */
export const P256_COORDINATE = /^[A-Za-z0-9_-]{43}$/;
export const ISO_DATE = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
/** Confirmation and engagement ids are created outside the contract (by the firm's software). */
export const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$/;
/** 不动产单元号 as registries print them (spaces allowed, ignored for the ledger key). */
export const MORTGAGE_UNIT_NUMBER = /^[0-9A-Za-z ]{10,40}$/;
/** Registry case numbers (e.g. a mortgage discharge's): short references, no names. */
export const CASE_NUMBER = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
/** Reason codes where free text could carry names onto the channel (e.g. a registry's rejection). */
export const REASON_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
/** Lowercase hex of a SHA-256 digest (content hashes, salted hashes). */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
/** A Fabric transaction id: SHA-256 of the proposal's nonce and creator, lowercase hex, as the peers name it. */
export const TRANSACTION_ID = SHA256_HEX;
/** Longest JWE a letter, reply or sealed document may be: a letter with many rows is a few tens of KiB encrypted; anything near this is abuse. */
export const MAX_CIPHERTEXT_CHARS = 512 * 1024;
/** An amount in integer minor units (fen, cents) as a decimal string: no sign, point or exponent; up to 10^18 - 1, so BigInt sums stay exact. */
export const AMOUNT_MINOR = /^(0|[1-9][0-9]{0,17})$/;
/** ISO 4217 alphabetic currency code. */
export const CURRENCY_CODE = /^[A-Z]{3}$/;
/** A 32-byte salt as lowercase hex (common/src/crypto/salted-hash.ts). */
export const SALT_HEX = /^[0-9a-f]{64}$/;
