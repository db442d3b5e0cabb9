import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import { parseBlock, parseEnvelope } from './block-parser';

/** google-protobuf's Timestamp, which fabric-protos' ChannelHeader takes (the package ships no types). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Timestamp } = require('google-protobuf/google/protobuf/timestamp_pb') as { Timestamp: new () => { setSeconds(s: number): void; setNanos(n: number): void } };

/**
 * Blocks built here field by field with the Fabric protobuf classes, the way a peer lays them out,
 * so that every level the parser decodes is checked against a value put there on purpose.
 */

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

function identity(mspId: string, pem: string): Uint8Array {
  const id = new msp.SerializedIdentity();
  id.setMspid(mspId);
  id.setIdBytes(bytes(pem));
  return id.serializeBinary();
}

function signatureHeader(creator: Uint8Array): Uint8Array {
  const header = new common.SignatureHeader();
  header.setCreator(creator);
  header.setNonce(bytes('nonce'));
  return header.serializeBinary();
}

function version(blockNum: number, txNum: number): ledger.rwset.kvrwset.Version {
  const v = new ledger.rwset.kvrwset.Version();
  v.setBlockNum(blockNum);
  v.setTxNum(txNum);
  return v;
}

function readWriteSet(dataModel: number = ledger.rwset.TxReadWriteSet.DataModel.KV): Uint8Array {
  const read = new ledger.rwset.kvrwset.KVRead();
  read.setKey('confirmation~C1');
  read.setVersion(version(7, 2));
  const absent = new ledger.rwset.kvrwset.KVRead();
  absent.setKey('new-key');
  const write = new ledger.rwset.kvrwset.KVWrite();
  write.setKey('confirmation~C1');
  write.setValue(bytes('{"docType":"confirmation"}'));
  const removal = new ledger.rwset.kvrwset.KVWrite();
  removal.setKey('index~old');
  removal.setIsDelete(true);
  const kv = new ledger.rwset.kvrwset.KVRWSet();
  kv.setReadsList([read, absent]);
  kv.setWritesList([write, removal]);

  const hashedRead = new ledger.rwset.kvrwset.KVReadHash();
  hashedRead.setKeyHash(bytes('kh-read'));
  hashedRead.setVersion(version(5, 0));
  const hashedWrite = new ledger.rwset.kvrwset.KVWriteHash();
  hashedWrite.setKeyHash(bytes('kh-write'));
  hashedWrite.setValueHash(bytes('vh'));
  hashedWrite.setIsPurge(true);
  const hashed = new ledger.rwset.kvrwset.HashedRWSet();
  hashed.setHashedReadsList([hashedRead]);
  hashed.setHashedWritesList([hashedWrite]);
  const collection = new ledger.rwset.CollectionHashedReadWriteSet();
  collection.setCollectionName('replies_Bank1MSP');
  collection.setHashedRwset(hashed.serializeBinary());
  collection.setPvtRwsetHash(bytes('pvt-hash'));

  const ns = new ledger.rwset.NsReadWriteSet();
  ns.setNamespace('econfirm');
  ns.setRwset(kv.serializeBinary());
  ns.setCollectionHashedRwsetList([collection]);
  const lifecycle = new ledger.rwset.NsReadWriteSet();
  lifecycle.setNamespace('_lifecycle');
  lifecycle.setRwset(new ledger.rwset.kvrwset.KVRWSet().serializeBinary());
  const tx = new ledger.rwset.TxReadWriteSet();
  tx.setDataModel(dataModel as 0);
  tx.setNsRwsetList([ns, lifecycle]);
  return tx.serializeBinary();
}

function chaincodeAction(results: Uint8Array): Uint8Array {
  const event = new peer.ChaincodeEvent();
  event.setChaincodeId('econfirm');
  event.setTxId('tx-endorsed');
  event.setEventName('ConfirmationRequested');
  event.setPayload(bytes('{"id":"C1"}'));
  const response = new peer.Response();
  response.setStatus(200);
  response.setMessage('ok');
  response.setPayload(bytes('result'));
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName('econfirm');
  chaincodeId.setVersion('1.2');
  const action = new peer.ChaincodeAction();
  action.setResults(results);
  action.setEvents(event.serializeBinary());
  action.setResponse(response);
  action.setChaincodeId(chaincodeId);
  const responsePayload = new peer.ProposalResponsePayload();
  responsePayload.setProposalHash(bytes('proposal-hash'));
  responsePayload.setExtension$(action.serializeBinary());
  return responsePayload.serializeBinary();
}

function endorserTransaction(results: Uint8Array = readWriteSet()): Uint8Array {
  const input = new peer.ChaincodeInput();
  input.setArgsList([bytes('RequestConfirmation'), bytes('{"id":"C1"}')]);
  const spec = new peer.ChaincodeSpec();
  spec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const proposalPayload = new peer.ChaincodeProposalPayload();
  proposalPayload.setInput(invocation.serializeBinary());

  const endorsements = ['Bank1MSP', 'AuditFirm1MSP'].map((mspId) => {
    const e = new peer.Endorsement();
    e.setEndorser(identity(mspId, `peer of ${mspId}`));
    e.setSignature(bytes(`signature of ${mspId}`));
    return e;
  });
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(chaincodeAction(results));
  endorsed.setEndorsementsList(endorsements);
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(proposalPayload.serializeBinary());
  actionPayload.setAction(endorsed);
  const action = new peer.TransactionAction();
  action.setHeader(signatureHeader(identity('AuditFirm1MSP', 'auditor cert')));
  action.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([action]);
  return transaction.serializeBinary();
}

function configData(): Uint8Array {
  const channel = new common.ConfigGroup();
  channel.getGroupsMap().set('Application', new common.ConfigGroup());
  const config = new common.Config();
  config.setSequence(3);
  config.setChannelGroup(channel);
  const envelope = new common.ConfigEnvelope();
  envelope.setConfig(config);
  return envelope.serializeBinary();
}

function envelope(type: number, txId: string, data: Uint8Array, creator = identity('AuditFirm1MSP', 'auditor cert')): Uint8Array {
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(type);
  channelHeader.setTxId(txId);
  channelHeader.setChannelId('econfirm');
  const ts = new Timestamp();
  ts.setSeconds(1_790_000_000);
  ts.setNanos(123_456_789);
  channelHeader.setTimestamp(ts);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader(creator));
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(data);
  const env = new common.Envelope();
  env.setPayload(payload.serializeBinary());
  env.setSignature(bytes('client signature'));
  return env.serializeBinary();
}

function block(number: number, envelopes: Uint8Array[], flags: number[], lastConfig = 0): common.Block {
  const header = new common.BlockHeader();
  header.setNumber(number);
  header.setPreviousHash(Buffer.alloc(32, 1));
  header.setDataHash(Buffer.alloc(32, 2));
  const data = new common.BlockData();
  data.setDataList(envelopes);
  const ordererMetadata = new common.OrdererBlockMetadata();
  const last = new common.LastConfig();
  last.setIndex(lastConfig);
  ordererMetadata.setLastConfig(last);
  const signature = new common.MetadataSignature();
  signature.setSignatureHeader(signatureHeader(identity('OrdererMSP', 'orderer cert')));
  signature.setSignature(bytes('orderer signature'));
  const signatures = new common.Metadata();
  signatures.setValue(ordererMetadata.serializeBinary());
  signatures.setSignaturesList([signature]);
  const metadata = new common.BlockMetadata();
  const list: Uint8Array[] = [];
  list[common.BlockMetadataIndex.SIGNATURES] = signatures.serializeBinary();
  list[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = Uint8Array.from(flags);
  metadata.setMetadataList(Array.from(list, (m) => m ?? new Uint8Array()));
  const b = new common.Block();
  b.setHeader(header);
  b.setData(data);
  b.setMetadata(metadata);
  return b;
}

const text = (u: Uint8Array): string => Buffer.from(u).toString('utf8');

describe('block parser', () => {
  it('reads the header, every envelope in order with its channel header, creator and the validation code the metadata gives it', () => {
    const proto = block(
      12,
      [envelope(common.HeaderType.ENDORSER_TRANSACTION, 'tx-a', endorserTransaction()), envelope(common.HeaderType.ENDORSER_TRANSACTION, 'tx-b', endorserTransaction(), identity('Bank1MSP', 'bank cert'))],
      [peer.TxValidationCode.VALID, peer.TxValidationCode.MVCC_READ_CONFLICT],
      4,
    );
    const parsed = parseBlock(proto.serializeBinary());
    expect(parsed.number).to.equal(12n);
    expect(parsed.previousHash.equals(Buffer.alloc(32, 1))).to.be.true;
    expect(parsed.dataHash.equals(Buffer.alloc(32, 2))).to.be.true;
    expect(parsed.lastConfigIndex).to.equal(4);
    expect(parsed.config).to.be.undefined;
    expect(parsed.transactions.map((t) => [t.transactionId, t.validation, t.isValid, t.validationCode])).to.deep.equal([
      ['tx-a', 'VALID', true, 0],
      ['tx-b', 'MVCC_READ_CONFLICT', false, 11],
    ]);
    const [a, b] = parsed.transactions;
    expect(a?.type).to.equal(common.HeaderType.ENDORSER_TRANSACTION);
    expect(a?.channelId).to.equal('econfirm');
    expect(a?.timestamp?.toISOString()).to.equal(new Date(1_790_000_000_123).toISOString());
    expect(a?.creator.mspId).to.equal('AuditFirm1MSP');
    expect(text(a?.creator.idBytes ?? new Uint8Array())).to.equal('auditor cert');
    expect(b?.creator.mspId).to.equal('Bank1MSP');
    expect(a?.config).to.be.undefined;
  });

  it("decodes an endorser transaction's chaincode action: chaincode, arguments, response, event, endorsements", () => {
    const [tx] = parseBlock(block(3, [envelope(common.HeaderType.ENDORSER_TRANSACTION, 'tx-endorsed', endorserTransaction())], [0])).transactions;
    expect(tx?.actions).to.have.lengthOf(1);
    const action = tx?.actions[0];
    expect(action?.creator.mspId).to.equal('AuditFirm1MSP');
    expect(action?.chaincode).to.deep.equal({ name: 'econfirm', version: '1.2' });
    expect(action?.arguments.map(text)).to.deep.equal(['RequestConfirmation', '{"id":"C1"}']);
    expect(action?.response.status).to.equal(200);
    expect(action?.response.message).to.equal('ok');
    expect(text(action?.response.payload ?? new Uint8Array())).to.equal('result');
    expect(action?.event?.name).to.equal('ConfirmationRequested');
    expect(action?.event?.chaincodeId).to.equal('econfirm');
    expect(action?.event?.transactionId).to.equal('tx-endorsed');
    expect(text(action?.event?.payload ?? new Uint8Array())).to.equal('{"id":"C1"}');
    expect(action?.endorsements.map((e) => [e.endorser.mspId, text(e.endorser.idBytes), text(e.signature)])).to.deep.equal([
      ['Bank1MSP', 'peer of Bank1MSP', 'signature of Bank1MSP'],
      ['AuditFirm1MSP', 'peer of AuditFirm1MSP', 'signature of AuditFirm1MSP'],
    ]);
    const signed = peer.ProposalResponsePayload.deserializeBinary(action?.proposalResponsePayload ?? new Uint8Array());
    expect(text(signed.getProposalHash_asU8())).to.equal('proposal-hash');
  });

  it('decodes the read-write sets per namespace: reads with versions, writes and deletes, and the collection hashes', () => {
    const [tx] = parseBlock(block(3, [envelope(common.HeaderType.ENDORSER_TRANSACTION, 'tx-rw', endorserTransaction())], [0])).transactions;
    const sets = tx?.actions[0]?.readWriteSets ?? [];
    expect(sets.map((s) => s.namespace)).to.deep.equal(['econfirm', '_lifecycle']);
    const [econfirm, lifecycle] = sets;
    expect(econfirm?.reads).to.deep.equal([{ key: 'confirmation~C1', version: { blockNumber: 7n, transactionNumber: 2n } }, { key: 'new-key' }]);
    expect(econfirm?.writes.map((w) => [w.key, w.isDelete, text(w.value)])).to.deep.equal([
      ['confirmation~C1', false, '{"docType":"confirmation"}'],
      ['index~old', true, ''],
    ]);
    expect(econfirm?.collections).to.have.lengthOf(1);
    const collection = econfirm?.collections[0];
    expect(collection?.collection).to.equal('replies_Bank1MSP');
    expect(text(collection?.privateReadWriteSetHash ?? new Uint8Array())).to.equal('pvt-hash');
    expect(collection?.reads.map((r) => [text(r.keyHash), r.version])).to.deep.equal([['kh-read', { blockNumber: 5n, transactionNumber: 0n }]]);
    expect(collection?.writes.map((w) => [text(w.keyHash), text(w.valueHash), w.isDelete, w.isPurge])).to.deep.equal([['kh-write', 'vh', false, true]]);
    expect(lifecycle?.reads).to.deep.equal([]);
    expect(lifecycle?.collections).to.deep.equal([]);
  });

  it("reads a configuration block's channel configuration and the orderers' signatures from its metadata", () => {
    const parsed = parseBlock(block(0, [envelope(common.HeaderType.CONFIG, '', configData())], [0]));
    expect(parsed.config?.getSequence()).to.equal(3);
    expect(parsed.config?.getChannelGroup()?.getGroupsMap().has('Application')).to.be.true;
    expect(parsed.transactions[0]?.actions).to.deep.equal([]);
    const { value, signatures } = parsed.ordererSignatures;
    expect(common.OrdererBlockMetadata.deserializeBinary(value).getLastConfig()?.getIndex()).to.equal(0);
    expect(signatures.map((s) => (s.kind === 'creator' ? [s.creator.mspId, text(s.creator.idBytes), text(s.signature)] : []))).to.deep.equal([['OrdererMSP', 'orderer cert', 'orderer signature']]);
    expect(common.SignatureHeader.deserializeBinary(signatures[0]?.signedHeader ?? new Uint8Array()).getNonce_asU8()).to.deep.equal(bytes('nonce'));
  });

  it("reads a SmartBFT signature's consenter id from its identifier header (no signature header, no creator)", () => {
    const b = block(1, [envelope(common.HeaderType.ENDORSER_TRANSACTION, 'tx-bft', endorserTransaction())], [0]);
    const metadata = common.Metadata.deserializeBinary(b.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES] ?? new Uint8Array());
    const identifier = new common.IdentifierHeader();
    identifier.setIdentifier(3);
    identifier.setNonce(bytes('bft nonce'));
    const signature = new common.MetadataSignature();
    signature.setIdentifierHeader(identifier.serializeBinary());
    signature.setSignature(bytes('consenter 3 signature'));
    metadata.setSignaturesList([signature]);
    const list = b.getMetadata()?.getMetadataList_asU8() ?? [];
    list[common.BlockMetadataIndex.SIGNATURES] = metadata.serializeBinary();
    b.getMetadata()?.setMetadataList(list);
    const [parsed] = parseBlock(b).ordererSignatures.signatures;
    expect(parsed?.kind).to.equal('consenter');
    if (parsed?.kind !== 'consenter') return;
    expect(parsed.consenterId).to.equal(3);
    expect(parsed.signedHeader).to.deep.equal(identifier.serializeBinary());
    expect(text(parsed.signature)).to.equal('consenter 3 signature');
  });

  it('decodes a lone envelope with the validation code a processed transaction gives it', () => {
    const tx = parseEnvelope(envelope(common.HeaderType.ENDORSER_TRANSACTION, 'tx-alone', endorserTransaction()), peer.TxValidationCode.ENDORSEMENT_POLICY_FAILURE);
    expect(tx.transactionId).to.equal('tx-alone');
    expect(tx.validation).to.equal('ENDORSEMENT_POLICY_FAILURE');
    expect(tx.isValid).to.be.false;
    expect(tx.actions[0]?.chaincode.name).to.equal('econfirm');
  });

  it('marks an envelope the validation flags do not cover as INVALID_OTHER_REASON, never VALID', () => {
    const parsed = parseBlock(block(5, [envelope(common.HeaderType.ENDORSER_TRANSACTION, 'tx-1', endorserTransaction()), envelope(common.HeaderType.ENDORSER_TRANSACTION, 'tx-2', endorserTransaction())], [0]));
    expect(parsed.transactions.map((t) => t.validation)).to.deep.equal(['VALID', 'INVALID_OTHER_REASON']);
  });

  it('refuses a block without a header, an envelope without a payload header and a read-write set that is not KV, with a clear error', () => {
    const headless = block(1, [], []);
    headless.clearHeader();
    expect(() => parseBlock(headless)).to.throw(/malformed block: the block header is missing/);
    const env = new common.Envelope();
    env.setPayload(new common.Payload().serializeBinary());
    expect(() => parseEnvelope(env, 0)).to.throw(/malformed block: a payload header is missing/);
    const [tx] = parseBlock(block(2, [envelope(common.HeaderType.ENDORSER_TRANSACTION, 'tx-x', endorserTransaction(readWriteSet(7)))], [0])).transactions;
    expect(() => tx?.actions[0]?.readWriteSets).to.throw(/read-write set data model 7 is not KV/);
  });
});
