import { Context } from 'fabric-contract-api';

interface ProtoTimestamp {
  seconds: { toNumber(): number } | number;
  nanos: number;
}

/** Milliseconds since the epoch of a protobuf timestamp (the shim gives seconds as a Long). */
export function timestampMillis(timestamp: ProtoTimestamp): number {
  const seconds = typeof timestamp.seconds === 'number' ? timestamp.seconds : timestamp.seconds.toNumber();
  return seconds * 1000 + Math.floor(timestamp.nanos / 1_000_000);
}

/**
 * The transaction's own timestamp, set by the client and identical on every endorser — the only
 * clock chaincode may read.
 */
export function txTimeMillis(ctx: Context): number {
  return timestampMillis(ctx.stub.getTxTimestamp());
}

export function txTimeIso(ctx: Context): string {
  return new Date(txTimeMillis(ctx)).toISOString();
}
