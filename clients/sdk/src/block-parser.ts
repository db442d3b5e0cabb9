import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { commitStatusName } from './ledger-call-error';

/**
 * The one decoder of Fabric blocks: block bytes → envelopes → payload → channel and signature
 * headers → transaction actions → chaincode action (read-write sets with their collection hashes,
 * event, response, endorsements), plus the block metadata's validation codes, LAST_CONFIG pointer
 * and orderer signatures. Every reader of blocks (sdk `blocks.ts`, `channel-config.ts`,
 * `ledger-integrity.ts`, clients/evidence `ledger/transactions.ts`, gateway
 * `events/ledger-clock.ts`, test `support/channel-config.ts`) goes through it. Nested levels are
 * decoded when first read and kept, so a reader that wants only transaction ids pays for no
 * read-write set.
 */

/** An identity as Fabric serializes it (msp.SerializedIdentity): its MSP id and its certificate (PEM bytes). */
export interface SerializedIdentity {
  mspId: string;
  /** The certificate, PEM as the MSP serialized it. */
  idBytes: Uint8Array;
}

export interface KeyVersion {
  blockNumber: bigint;
  transactionNumber: bigint;
}

export interface KeyRead {
  key: string;
  /** Absent when the key did not exist when it was read. */
  version?: KeyVersion;
}

export interface KeyWrite {
  key: string;
  isDelete: boolean;
  value: Uint8Array;
}

export interface HashedKeyRead {
  keyHash: Uint8Array;
  version?: KeyVersion;
}

export interface HashedKeyWrite {
  keyHash: Uint8Array;
  isDelete: boolean;
  isPurge: boolean;
  valueHash: Uint8Array;
}

/** One entry of a key's metadata (kvrwset.KVMetadataEntry): Fabric's is VALIDATION_PARAMETER, the key-level endorsement policy. */
export interface MetadataEntry {
  name: string;
  value: Uint8Array;
}

/** A transaction's replacement of a key's metadata (kvrwset.KVMetadataWrite); no entries: the metadata is removed. */
export interface KeyMetadataWrite {
  key: string;
  entries: readonly MetadataEntry[];
}

/** The same for a private key, by the hash of the key (kvrwset.KVMetadataWriteHash). */
export interface HashedKeyMetadataWrite {
  keyHash: Uint8Array;
  entries: readonly MetadataEntry[];
}

/** What a transaction did to one private data collection, as every channel member sees it: hashes only. */
export interface CollectionHashedReadWriteSet {
  collection: string;
  reads: readonly HashedKeyRead[];
  writes: readonly HashedKeyWrite[];
  metadataWrites: readonly HashedKeyMetadataWrite[];
  /** SHA-256 of the private read-write set the collection's members hold. */
  privateReadWriteSetHash: Uint8Array;
}

/**
 * A range the chaincode iterated (kvrwset.RangeQueryInfo), which the committing peer re-runs to
 * catch phantoms: `[startKey, endKey)`, or `[startKey, endKey]` when the chaincode stopped before
 * the end (`itrExhausted` false: `endKey` is then the last key it saw). What it saw is either the
 * keys and versions themselves or, past 50 of them, a Merkle summary of their hashes.
 */
export interface RangeQueryRead {
  startKey: string;
  /** '' is the namespace's end. */
  endKey: string;
  itrExhausted: boolean;
  /** The keys and versions the simulation saw, in key order (absent when summarised). */
  reads?: readonly KeyRead[];
  merkle?: { maxDegree: number; maxLevel: number; maxLevelHashes: readonly Uint8Array[] };
}

/** What a transaction read and wrote in one chaincode namespace. */
export interface NamespaceReadWriteSet {
  namespace: string;
  reads: readonly KeyRead[];
  rangeQueries: readonly RangeQueryRead[];
  writes: readonly KeyWrite[];
  metadataWrites: readonly KeyMetadataWrite[];
  collections: readonly CollectionHashedReadWriteSet[];
}

export interface ChaincodeEventFacts {
  chaincodeId: string;
  transactionId: string;
  name: string;
  payload: Uint8Array;
}

export interface EndorsementFacts {
  endorser: SerializedIdentity;
  /** The endorser's serialized identity as it is in the block: the bytes its signature covers. */
  endorserBytes: Uint8Array;
  /** Over the action's proposal response payload ‖ the endorser's serialized identity. */
  signature: Uint8Array;
}

/** One action of an endorser transaction: a chaincode invocation and what its endorsers agreed it did. */
export interface ChaincodeActionFacts {
  /** Who proposed it (the action's signature header). */
  creator: SerializedIdentity;
  chaincode: { name: string; version: string };
  /** The invocation's arguments (function name first); the transient map never reaches the block. */
  arguments: readonly Uint8Array[];
  response: { status: number; message: string; payload: Uint8Array };
  event?: ChaincodeEventFacts;
  readWriteSets: readonly NamespaceReadWriteSet[];
  endorsements: readonly EndorsementFacts[];
  /** The bytes the endorsers signed (with their identity appended). */
  proposalResponsePayload: Uint8Array;
}

/** One envelope of a block (or of a processed transaction), with the peer's verdict on it. */
export interface ParsedTransaction {
  transactionId: string;
  /** common.HeaderType: ENDORSER_TRANSACTION, CONFIG, … */
  type: number;
  channelId: string;
  /** The time the client put in the channel header at proposal time (checked by the endorsers' time window). */
  timestamp?: Date;
  /** peer.TxValidationCode. */
  validationCode: number;
  /** Its name, e.g. VALID or MVCC_READ_CONFLICT. */
  validation: string;
  isValid: boolean;
  /** Who submitted it (the payload's signature header). */
  readonly creator: SerializedIdentity;
  /**
   * The envelope as it is in the block: the payload bytes the creator signed, its signature, and the
   * signature header's nonce and creator bytes (the transaction id is SHA-256 of nonce ‖ creator).
   */
  readonly signed: { payload: Uint8Array; signature: Uint8Array; nonce: Uint8Array; creatorBytes: Uint8Array };
  /** The chaincode actions of an endorser transaction; empty for every other type. */
  readonly actions: readonly ChaincodeActionFacts[];
  /** The channel configuration a CONFIG envelope carries. */
  readonly config: common.Config | undefined;
  readonly payload: common.Payload;
  readonly channelHeader: common.ChannelHeader;
}

/**
 * One signature of a block's SIGNATURES metadata. Raft (and any orderer that names itself) carries a
 * signature header with its creator; SmartBFT carries an identifier header instead, whose consenter
 * id the channel configuration's consenter mapping resolves to an identity (Fabric's
 * protoutil.BlockSignatureVerifier). `signedHeader` is whichever of the two is in the signed bytes.
 */
export type OrdererSignature =
  | { kind: 'creator'; creator: SerializedIdentity; signatureHeader: Uint8Array; signedHeader: Uint8Array; signature: Uint8Array }
  | { kind: 'consenter'; consenterId: number; identifierHeader: Uint8Array; signedHeader: Uint8Array; signature: Uint8Array };

export interface ParsedBlock {
  number: bigint;
  header: common.BlockHeader;
  dataHash: Buffer;
  previousHash: Buffer;
  /** Every envelope, in block order, with its validation code from the TRANSACTIONS_FILTER metadata. */
  readonly transactions: readonly ParsedTransaction[];
  /** The index of the configuration block in force at this block (its SIGNATURES metadata's LAST_CONFIG). */
  readonly lastConfigIndex: number;
  /** The channel configuration when this is a configuration block (genesis or a config update). */
  readonly config: common.Config | undefined;
  /** The SIGNATURES metadata: the value the orderers signed and their signatures (none on the genesis block). */
  readonly ordererSignatures: { value: Uint8Array; signatures: readonly OrdererSignature[] };
  readonly proto: common.Block;
}

/** Validation code given to an envelope the metadata has no flag for. */
const NO_VALIDATION_FLAG = peer.TxValidationCode.INVALID_OTHER_REASON;

/** Evaluates `compute` once, on first call. */
function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`malformed block: ${what} is missing`);
  return value;
}

export function parseSerializedIdentity(bytes: Uint8Array): SerializedIdentity {
  const identity = msp.SerializedIdentity.deserializeBinary(bytes);
  return { mspId: identity.getMspid(), idBytes: identity.getIdBytes_asU8() };
}

function version(v: ledger.rwset.kvrwset.Version | undefined): KeyVersion | undefined {
  return v ? { blockNumber: BigInt(v.getBlockNum()), transactionNumber: BigInt(v.getTxNum()) } : undefined;
}

function parseCollection(set: ledger.rwset.CollectionHashedReadWriteSet): CollectionHashedReadWriteSet {
  const hashed = ledger.rwset.kvrwset.HashedRWSet.deserializeBinary(set.getHashedRwset_asU8());
  return {
    collection: set.getCollectionName(),
    reads: hashed.getHashedReadsList().map((r) => ({ keyHash: r.getKeyHash_asU8(), ...optional('version', version(r.getVersion())) })),
    writes: hashed.getHashedWritesList().map((w) => ({ keyHash: w.getKeyHash_asU8(), isDelete: w.getIsDelete(), isPurge: w.getIsPurge(), valueHash: w.getValueHash_asU8() })),
    metadataWrites: hashed.getMetadataWritesList().map((m) => ({ keyHash: m.getKeyHash_asU8(), entries: m.getEntriesList().map(metadataEntry) })),
    privateReadWriteSetHash: set.getPvtRwsetHash_asU8(),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function metadataEntry(e: ledger.rwset.kvrwset.KVMetadataEntry): MetadataEntry {
  return { name: e.getName(), value: e.getValue_asU8() };
}

function keyRead(r: ledger.rwset.kvrwset.KVRead): KeyRead {
  return { key: r.getKey(), ...optional('version', version(r.getVersion())) };
}

function rangeQuery(info: ledger.rwset.kvrwset.RangeQueryInfo): RangeQueryRead {
  const summary = info.getReadsMerkleHashes();
  return {
    startKey: info.getStartKey(),
    endKey: info.getEndKey(),
    itrExhausted: info.getItrExhausted(),
    ...(summary
      ? { merkle: { maxDegree: summary.getMaxDegree(), maxLevel: summary.getMaxLevel(), maxLevelHashes: summary.getMaxLevelHashesList_asU8() } }
      : { reads: info.getRawReads()?.getKvReadsList().map(keyRead) ?? [] }),
  };
}

function parseNamespace(set: ledger.rwset.NsReadWriteSet): NamespaceReadWriteSet {
  const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(set.getRwset_asU8());
  return {
    namespace: set.getNamespace(),
    reads: kv.getReadsList().map(keyRead),
    rangeQueries: kv.getRangeQueriesInfoList().map(rangeQuery),
    writes: kv.getWritesList().map((w) => ({ key: w.getKey(), isDelete: w.getIsDelete(), value: w.getValue_asU8() })),
    metadataWrites: kv.getMetadataWritesList().map((m) => ({ key: m.getKey(), entries: m.getEntriesList().map(metadataEntry) })),
    collections: set.getCollectionHashedRwsetList().map(parseCollection),
  };
}

function parseReadWriteSets(results: Uint8Array): NamespaceReadWriteSet[] {
  const rwset = ledger.rwset.TxReadWriteSet.deserializeBinary(results);
  if (rwset.getDataModel() !== ledger.rwset.TxReadWriteSet.DataModel.KV) throw new Error(`malformed block: read-write set data model ${rwset.getDataModel()} is not KV`);
  return rwset.getNsRwsetList().map(parseNamespace);
}

function parseAction(action: peer.TransactionAction): ChaincodeActionFacts {
  const signatureHeader = common.SignatureHeader.deserializeBinary(action.getHeader_asU8());
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const endorsed = required(actionPayload.getAction(), 'a chaincode endorsed action');
  const proposalResponsePayload = endorsed.getProposalResponsePayload_asU8();
  const chaincodeAction = peer.ChaincodeAction.deserializeBinary(peer.ProposalResponsePayload.deserializeBinary(proposalResponsePayload).getExtension_asU8());
  const invocation = peer.ChaincodeInvocationSpec.deserializeBinary(peer.ChaincodeProposalPayload.deserializeBinary(actionPayload.getChaincodeProposalPayload_asU8()).getInput_asU8());
  const events = chaincodeAction.getEvents_asU8();
  const event = events.length > 0 ? peer.ChaincodeEvent.deserializeBinary(events) : undefined;
  const response = chaincodeAction.getResponse();
  const readWriteSets = once(() => parseReadWriteSets(chaincodeAction.getResults_asU8()));
  return {
    creator: parseSerializedIdentity(signatureHeader.getCreator_asU8()),
    chaincode: { name: chaincodeAction.getChaincodeId()?.getName() ?? '', version: chaincodeAction.getChaincodeId()?.getVersion() ?? '' },
    arguments: invocation.getChaincodeSpec()?.getInput()?.getArgsList_asU8() ?? [],
    response: { status: response?.getStatus() ?? 0, message: response?.getMessage() ?? '', payload: response?.getPayload_asU8() ?? new Uint8Array() },
    ...optional('event', event && { chaincodeId: event.getChaincodeId(), transactionId: event.getTxId(), name: event.getEventName(), payload: event.getPayload_asU8() }),
    get readWriteSets() {
      return readWriteSets();
    },
    endorsements: endorsed.getEndorsementsList().map((e) => ({ endorser: parseSerializedIdentity(e.getEndorser_asU8()), endorserBytes: e.getEndorser_asU8(), signature: e.getSignature_asU8() })),
    proposalResponsePayload,
  };
}

/** Decodes one envelope, given the peer's validation code for it (from a block's metadata or a ProcessedTransaction). */
export function parseEnvelope(envelope: common.Envelope | Uint8Array, validationCode: number): ParsedTransaction {
  const env = envelope instanceof common.Envelope ? envelope : common.Envelope.deserializeBinary(envelope);
  const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
  const header = required(payload.getHeader(), 'a payload header');
  const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  const type = channelHeader.getType();
  const timestamp = channelHeader.getTimestamp();
  const signatureHeader = once(() => common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8()));
  const creator = once(() => parseSerializedIdentity(signatureHeader().getCreator_asU8()));
  const actions = once(() => (type === common.HeaderType.ENDORSER_TRANSACTION ? peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList().map(parseAction) : []));
  const config = once(() => (type === common.HeaderType.CONFIG ? common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig() : undefined));
  return {
    transactionId: channelHeader.getTxId(),
    type,
    channelId: channelHeader.getChannelId(),
    ...optional('timestamp', timestamp && new Date(timestamp.getSeconds() * 1000 + Math.floor(timestamp.getNanos() / 1_000_000))),
    validationCode,
    validation: commitStatusName(validationCode),
    isValid: validationCode === peer.TxValidationCode.VALID,
    get creator() {
      return creator();
    },
    get signed() {
      return { payload: env.getPayload_asU8(), signature: env.getSignature_asU8(), nonce: signatureHeader().getNonce_asU8(), creatorBytes: signatureHeader().getCreator_asU8() };
    },
    get actions() {
      return actions();
    },
    get config() {
      return config();
    },
    payload,
    channelHeader,
  };
}

function parseOrdererSignatures(block: common.Block): ParsedBlock['ordererSignatures'] {
  const raw = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES];
  if (!raw || raw.length === 0) return { value: new Uint8Array(), signatures: [] };
  const metadata = common.Metadata.deserializeBinary(raw);
  return {
    value: metadata.getValue_asU8(),
    // Over the metadata value ‖ signed header ‖ block header bytes. As Fabric reads it: an empty
    // signature header with an identifier header present names the signer by consenter id.
    signatures: metadata.getSignaturesList().map((s): OrdererSignature => {
      const signatureHeader = s.getSignatureHeader_asU8();
      const identifierHeader = s.getIdentifierHeader_asU8();
      if (signatureHeader.length === 0 && identifierHeader.length > 0) {
        return { kind: 'consenter', consenterId: common.IdentifierHeader.deserializeBinary(identifierHeader).getIdentifier(), identifierHeader, signedHeader: identifierHeader, signature: s.getSignature_asU8() };
      }
      return {
        kind: 'creator',
        creator: parseSerializedIdentity(common.SignatureHeader.deserializeBinary(signatureHeader).getCreator_asU8()),
        signatureHeader,
        signedHeader: signatureHeader,
        signature: s.getSignature_asU8(),
      };
    }),
  };
}

export function parseBlock(block: common.Block | Uint8Array): ParsedBlock {
  const proto = block instanceof common.Block ? block : common.Block.deserializeBinary(block);
  const header = required(proto.getHeader(), 'the block header');
  const flags = proto.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
  const transactions = once(() => (proto.getData()?.getDataList_asU8() ?? []).map((bytes, index) => parseEnvelope(bytes, flags[index] ?? NO_VALIDATION_FLAG)));
  const ordererSignatures = once(() => parseOrdererSignatures(proto));
  return {
    number: BigInt(header.getNumber()),
    header,
    dataHash: Buffer.from(header.getDataHash_asU8()),
    previousHash: Buffer.from(header.getPreviousHash_asU8()),
    get transactions() {
      return transactions();
    },
    get lastConfigIndex() {
      return common.OrdererBlockMetadata.deserializeBinary(ordererSignatures().value).getLastConfig()?.getIndex() ?? 0;
    },
    get config() {
      return transactions()[0]?.config;
    },
    get ordererSignatures() {
      return ordererSignatures();
    },
    proto,
  };
}
