import { common, msp } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { blockDataHash, blockHeaderBytes, blockHeaderHash, ChainChecker } from './ledger-integrity';

/** A key and certificate made by openssl: issued by `ca`, or a self-issued CA when `ca` is absent. */
interface Node {
  key: KeyObject;
  certPem: string;
}

function makeNode(dir: string, name: string, ca?: { name: string }): Node {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
  if (ca) {
    execFileSync('openssl', ['req', '-new', '-key', key, '-subj', `/CN=${name}`, '-out', path.join(dir, `${name}.csr`)]);
    execFileSync('openssl', ['x509', '-req', '-in', path.join(dir, `${name}.csr`), '-CA', path.join(dir, `${ca.name}.pem`), '-CAkey', path.join(dir, `${ca.name}.key`), '-set_serial', '7', '-days', '2', '-out', cert], { stdio: 'ignore' });
  } else {
    execFileSync('openssl', ['req', '-x509', '-new', '-key', key, '-subj', `/CN=${name}`, '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-out', cert]);
  }
  return { key: createPrivateKey(readFileSync(key)), certPem: readFileSync(cert, 'utf8') };
}

/** A configuration block whose Orderer group has one org, OrdererMSP, rooted at `caPem`. */
function configEnvelope(caPem: string): Uint8Array {
  const fabric = new msp.FabricMSPConfig();
  fabric.setName('OrdererMSP');
  fabric.setRootCertsList([Buffer.from(caPem)]);
  const mspConfig = new msp.MSPConfig();
  mspConfig.setConfig(fabric.serializeBinary());
  const value = new common.ConfigValue();
  value.setValue(mspConfig.serializeBinary());
  const org = new common.ConfigGroup();
  org.getValuesMap().set('MSP', value);
  const orderer = new common.ConfigGroup();
  orderer.getGroupsMap().set('OrdererOrg', org);
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

/** A block of one envelope after `previous`, signed by `signer` (Raft: value ‖ signature header ‖ header bytes). */
function block(number: number, previous: common.Block | undefined, data: Uint8Array, signer?: Node): common.Block {
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
  metadata.setValue(new common.OrdererBlockMetadata().serializeBinary());
  if (signer) {
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
    const rotation = block(2, one, configEnvelope(ca2.certPem), orderer1);
    const last = block(3, rotation, envelope(common.HeaderType.ENDORSER_TRANSACTION, Buffer.from('tx three')), lastSigner);
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
});
