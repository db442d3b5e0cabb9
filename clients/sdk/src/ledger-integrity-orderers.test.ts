import { common, msp, orderer as ordererProtos } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import { sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { blockDataHash, blockHeaderBytes, blockHeaderHash, ChainChecker } from './ledger-integrity';
import { makeNode, type Node } from './openssl-certificates.test-support';


function configValue(bytes: Uint8Array): common.ConfigValue {
  const value = new common.ConfigValue();
  value.setValue(bytes);
  return value;
}

/**
 * A configuration block whose Orderer group has one org, OrdererMSP, rooted at `caPem`; with
 * `consenters`, ordered by BFT with that consenter mapping (ids 1, 2, … in order).
 */
function configEnvelope(caPem: string, consenters?: readonly Node[]): Uint8Array {
  const fabric = new msp.FabricMSPConfig();
  fabric.setName('OrdererMSP');
  fabric.setRootCertsList([Buffer.from(caPem)]);
  const mspConfig = new msp.MSPConfig();
  mspConfig.setConfig(fabric.serializeBinary());
  const org = new common.ConfigGroup();
  org.getValuesMap().set('MSP', configValue(mspConfig.serializeBinary()));
  const orderer = new common.ConfigGroup();
  orderer.getGroupsMap().set('OrdererOrg', org);
  if (consenters) {
    const type = new ordererProtos.ConsensusType();
    type.setType('BFT');
    orderer.getValuesMap().set('ConsensusType', configValue(type.serializeBinary()));
    const mapping = new common.Orderers();
    mapping.setConsenterMappingList(
      consenters.map((node, i) => {
        const c = new common.Consenter();
        c.setId(i + 1);
        c.setMspId('OrdererMSP');
        c.setIdentity(Buffer.from(node.certPem));
        c.setHost('127.0.0.1');
        c.setPort(7050 + i);
        return c;
      }),
    );
    orderer.getValuesMap().set('Orderers', configValue(mapping.serializeBinary()));
  }
  const channel = new common.ConfigGroup();
  channel.getGroupsMap().set('Orderer', orderer);
  const config = new common.Config();
  config.setChannelGroup(channel);
  const configEnv = new common.ConfigEnvelope();
  configEnv.setConfig(config);
  return envelope(common.HeaderType.CONFIG, configEnv.serializeBinary());
}

function envelope(type: number, data: Uint8Array): Uint8Array {
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(type);
  channelHeader.setTxId(type === common.HeaderType.CONFIG ? '' : `tx-${data.length}`);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(data);
  const env = new common.Envelope();
  env.setPayload(payload.serializeBinary());
  return env.serializeBinary();
}

/** How a block is signed: Raft's one creator, or SmartBFT's consenters by id (a key of its own stands for a forger's). */
type Signing = Node | { bft: readonly { id: number; key: KeyObject }[] };

/**
 * A block of one envelope after `previous`, its LAST_CONFIG `lastConfig`, signed by `signer` (Raft:
 * value ‖ signature header ‖ header bytes; BFT: value ‖ identifier header ‖ header bytes).
 */
function block(number: number, previous: common.Block | undefined, data: Uint8Array, signer?: Signing, lastConfig = 0): common.Block {
  const b = new common.Block();
  const blockData = new common.BlockData();
  blockData.setDataList([data]);
  b.setData(blockData);
  const header = new common.BlockHeader();
  header.setNumber(number);
  header.setPreviousHash(previous ? blockHeaderHash(previous.getHeader() as common.BlockHeader) : new Uint8Array());
  header.setDataHash(blockDataHash(b));
  b.setHeader(header);
  const metadata = new common.Metadata();
  const ordererMetadata = new common.OrdererBlockMetadata();
  const last = new common.LastConfig();
  last.setIndex(lastConfig);
  ordererMetadata.setLastConfig(last);
  metadata.setValue(ordererMetadata.serializeBinary());
  if (signer && 'bft' in signer) {
    metadata.setSignaturesList(
      signer.bft.map(({ id, key }) => {
        const identifier = new common.IdentifierHeader();
        identifier.setIdentifier(id);
        identifier.setNonce(Buffer.from(`nonce ${id}`));
        const signature = new common.MetadataSignature();
        signature.setIdentifierHeader(identifier.serializeBinary());
        signature.setSignature(sign('sha256', Buffer.concat([metadata.getValue_asU8(), identifier.serializeBinary(), blockHeaderBytes(header)]), key));
        return signature;
      }),
    );
  } else if (signer) {
    const identity = new msp.SerializedIdentity();
    identity.setMspid('OrdererMSP');
    identity.setIdBytes(Buffer.from(signer.certPem));
    const signatureHeader = new common.SignatureHeader();
    signatureHeader.setCreator(identity.serializeBinary());
    signatureHeader.setNonce(Buffer.from('nonce'));
    const signature = new common.MetadataSignature();
    signature.setSignatureHeader(signatureHeader.serializeBinary());
    signature.setSignature(sign('sha256', Buffer.concat([metadata.getValue_asU8(), signatureHeader.serializeBinary(), blockHeaderBytes(header)]), signer.key));
    metadata.setSignaturesList([signature]);
  }
  const blockMetadata = new common.BlockMetadata();
  blockMetadata.setMetadataList([metadata.serializeBinary(), new Uint8Array(), new Uint8Array([0]), new Uint8Array(), new Uint8Array()]);
  b.setMetadata(blockMetadata);
  return b;
}

describe('ledger integrity: orderer signatures follow the channel configuration', function () {
  const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-orderers-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const ca1 = makeNode(dir, 'ca1');
  const ca2 = makeNode(dir, 'ca2');
  const orderer1 = makeNode(dir, 'orderer1', { name: 'ca1' });
  const orderer2 = makeNode(dir, 'orderer2', { name: 'ca2' });
  const stranger = makeNode(dir, 'stranger');

  /** genesis (CA1) → a block → a config update to CA2 (signed under CA1) → `last`. */
  function chain(lastSigner: Node): common.Block[] {
    const genesis = block(0, undefined, configEnvelope(ca1.certPem));
    const one = block(1, genesis, envelope(common.HeaderType.ENDORSER_TRANSACTION, Buffer.from('tx one')), orderer1);
    const rotation = block(2, one, configEnvelope(ca2.certPem), orderer1, 2);
    const last = block(3, rotation, envelope(common.HeaderType.ENDORSER_TRANSACTION, Buffer.from('tx three')), lastSigner, 2);
    return [genesis, one, rotation, last];
  }

  function breaks(blocks: common.Block[]): string[] {
    const checker = new ChainChecker(0n, undefined, new Map());
    blocks.forEach((b) => checker.add(b));
    return checker.breaks.map((b) => `${b.block}: ${b.reason}`);
  }

  it('each block is checked against the orderer CAs configured before it: after the rotation, the new CA signs', function () {
    expect(breaks(chain(orderer2))).to.deep.equal([]);
  });

  it('after the rotation the old CA no longer counts; a certificate no CA of the channel issued never does', function () {
    const unsigned = 'no valid signature of an ordering node of the channel';
    expect(breaks(chain(orderer1))).to.deep.equal([`3: ${unsigned}`]);
    expect(breaks(chain(stranger))).to.deep.equal([`3: ${unsigned}`]);
    // Without the rotation block, CA2's signer is a stranger to CA1's configuration.
    const genesis = chain(orderer2)[0] as common.Block;
    expect(breaks([genesis, block(1, genesis, envelope(common.HeaderType.ENDORSER_TRANSACTION, Buffer.from('x')), orderer2)])).to.deep.equal([`1: ${unsigned}`]);
  });

  it("a block's LAST_CONFIG must name the configuration block in force (it is signed: the orderers pointed elsewhere)", function () {
    const [genesis, one, rotation] = chain(orderer2);
    const wrong = block(3, rotation, envelope(common.HeaderType.ENDORSER_TRANSACTION, Buffer.from('tx three')), orderer2, 0);
    expect(breaks([genesis, one, rotation, wrong] as common.Block[])).to.deep.equal(['3: its LAST_CONFIG names block 0, but the configuration in force is block 2']);
  });
});

describe('ledger integrity: SmartBFT blocks name their signers by consenter id and need a quorum', function () {
  const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-bft-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  makeNode(dir, 'ca');
  const consenters = [1, 2, 3, 4].map((i) => makeNode(dir, `consenter${i}`, { name: 'ca' }));
  const outsider = makeNode(dir, 'outsider', { name: 'ca' });
  const caPem = readFileSync(path.join(dir, 'ca.pem'), 'utf8');
  const by = (...ids: number[]) => ({ bft: ids.map((id) => ({ id, key: (consenters[id - 1] as Node).key })) });

  function breaks(signing: Signing): string[] {
    const genesis = block(0, undefined, configEnvelope(caPem, consenters));
    const one = block(1, genesis, envelope(common.HeaderType.ENDORSER_TRANSACTION, Buffer.from('tx one')), by(1, 2, 3, 4));
    const two = block(2, one, envelope(common.HeaderType.ENDORSER_TRANSACTION, Buffer.from('tx number two')), signing);
    const checker = new ChainChecker(0n, undefined, new Map());
    [genesis, one, two].forEach((b) => checker.add(b));
    return checker.breaks.map((b) => `${b.block}: ${b.reason}`);
  }

  it('3 of 4 consenters (the quorum, 2f+1 with f = 1) suffice; all 4 too', function () {
    expect(breaks(by(1, 2, 4))).to.deep.equal([]);
    expect(breaks(by(4, 3, 2, 1))).to.deep.equal([]);
  });

  it('2 of 4, or one consenter signing three times, is below the quorum', function () {
    expect(breaks(by(1, 3))).to.deep.equal(['2: signed by 2 distinct consenter(s) of 4: a BFT block needs a quorum of 3']);
    expect(breaks(by(2, 2, 2))).to.deep.equal(['2: signed by 1 distinct consenter(s) of 4: a BFT block needs a quorum of 3']);
  });

  it('every signature must hold: a forged one beside a quorum, an unknown id, a Raft-style signer who is no consenter', function () {
    const forged = { bft: [...by(1, 2, 3).bft, { id: 4, key: outsider.key }] };
    expect(breaks(forged)).to.deep.equal(['2: orderer signature 4 of 4 (consenter 4 (OrdererMSP)): does not verify']);
    const unknown = { bft: [...by(1, 2, 3).bft, { id: 9, key: outsider.key }] };
    expect(breaks(unknown)).to.deep.equal(['2: orderer signature 4 of 4 (consenter 9): no consenter of the channel has this id']);
    // A certificate of the ordering org's CA that the consenter mapping does not name: Fabric's BFT BlockValidation policy would not count it.
    expect(breaks(outsider)).to.deep.equal(['2: no valid signature of an ordering node of the channel']);
    // Raft-style signatures of consenters' own identities are theirs all the same.
    expect(breaks(consenters[0] as Node)).to.deep.equal(['2: signed by 1 distinct consenter(s) of 4: a BFT block needs a quorum of 3']);
  });
});
