/**
 * The Node flags the gateway runs with: `scripts/gateway.sh`, `npm start` and the benchmarks'
 * gateway process pass them (a unit test holds the first two to this list). V8 cannot take them
 * once the process runs (`v8.setFlagsFromString` leaves the heap as it was configured), so they
 * are the launcher's.
 *
 * --max-semi-space-size=16: V8 sizes the young generation from the heap limit, and the heap limit
 * from the machine's memory; on a 24 GiB machine each semi-space may grow to 64 MB. Loading the
 * gateway's modules and building its OpenAPI document allocate fast enough that it does: 128 MB of
 * new space, touched once at start-up and resident from then on, while what survives of it is a
 * few MB. 16 MB (Node's default on 64-bit machines until V8 scaled it) keeps a scavenge cheap
 * under load and the idle process about 60 MB smaller (issue 18, measured in the README).
 *
 * --expose-gc: the gateway gives memory back once idle with one memory-reducing collection
 * (memory/idle-reclaim.ts; `memory.reclaimIdleSeconds`), which only gc() can ask V8 for.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--expose-gc'];
