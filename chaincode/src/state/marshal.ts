import { canonicalJsonBytes } from '@econfirm/common';

/** The one way anything is written to world state or events: canonical JSON bytes. */
export function marshal(value: unknown): Uint8Array {
  return canonicalJsonBytes(value);
}

/** Only for bytes this chaincode wrote itself with marshal(). */
export function unmarshal<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}
