import { createPublicKey } from 'node:crypto';
import { KEY_ALGORITHM, KEY_ID, KeyUse, P256_COORDINATE, PublicJwk, PublicKeyRecord } from '@econfirm/common';
import { FieldReader, invalid } from '../validation/field-reader';

// Members a JWK library (node-jose's toJSON) adds; accepted when consistent, never stored twice.
const JWK_MEMBERS = ['kty', 'crv', 'x', 'y', 'kid', 'use', 'alg', 'key_ops', 'ext'];

/** Validating factory for one published key: `{ kid, jwk }` → a record active from `activatedAt`. */
export function newPublicKeyRecord(input: FieldReader, use: KeyUse, activatedAt: string): PublicKeyRecord {
  input.allowOnly(['kid', 'jwk']);
  const kid = input.string('kid', { pattern: KEY_ID });
  const jwk = readPublicJwk(input.object('jwk'), kid, use);
  return { kid, use, alg: KEY_ALGORITHM[use], jwk, activatedAt };
}

function readPublicJwk(jwk: FieldReader, kid: string, use: KeyUse): PublicJwk {
  if (jwk.has('d')) throw invalid(jwk.fieldPath('d'), 'private key material must never be submitted');
  jwk.allowOnly(JWK_MEMBERS);
  if (jwk.raw('kty') !== 'EC') throw invalid(jwk.fieldPath('kty'), 'must be EC');
  if (jwk.raw('crv') !== 'P-256') throw invalid(jwk.fieldPath('crv'), 'must be P-256');
  const x = jwk.string('x', { pattern: P256_COORDINATE });
  const y = jwk.string('y', { pattern: P256_COORDINATE });
  if (jwk.has('kid') && jwk.raw('kid') !== kid) throw invalid(jwk.fieldPath('kid'), 'differs from kid');
  if (jwk.has('use') && jwk.raw('use') !== use) throw invalid(jwk.fieldPath('use'), `must be ${use}`);
  if (jwk.has('alg') && jwk.raw('alg') !== KEY_ALGORITHM[use]) throw invalid(jwk.fieldPath('alg'), `must be ${KEY_ALGORITHM[use]}`);
  const publicJwk: PublicJwk = { kty: 'EC', crv: 'P-256', x, y };
  assertOnCurve(publicJwk, jwk.path);
  return publicJwk;
}

/** Deterministic check (no randomness): node refuses coordinates that are not a point of P-256. */
function assertOnCurve(jwk: PublicJwk, field: string): void {
  try {
    createPublicKey({ key: { ...jwk }, format: 'jwk' });
  } catch {
    throw invalid(field, 'is not a valid P-256 public key');
  }
}

export function retire(key: PublicKeyRecord, retiredAt: string): PublicKeyRecord {
  return { ...key, retiredAt };
}
