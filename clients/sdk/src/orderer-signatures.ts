import { common } from '@hyperledger/fabric-protos';
import { createHash, verify, type X509Certificate } from 'node:crypto';
import type { OrdererSignature, ParsedBlock } from './block-parser';
import type { OrderingService } from './channel-config';
import { memberCertificate, type MspCas } from './transaction-signatures';

/**
 * The orderers' signatures of a block, checked as Fabric's protoutil.BlockSignatureVerifier reads
 * them: each is over metadata value ‖ signed header ‖ header bytes. Raft signers name themselves
 * (signature header creator); SmartBFT signers give their consenter id (identifier header), which
 * the consenter mapping of the configuration in force resolves to an identity, and a block needs a
 * quorum of them (the BlockValidation policy configtxgen writes for BFT: 2f+1 of 3f+1 consenters).
 */

/** DER length octets (short or long form). */
function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, value: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), derLength(value.length), value]);

function derUnsignedInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] as number) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

/** Fabric's block header bytes: DER SEQUENCE { INTEGER number, OCTET STRING previousHash, OCTET STRING dataHash }. */
export function blockHeaderBytes(header: common.BlockHeader): Buffer {
  return tlv(0x30, Buffer.concat([derUnsignedInteger(BigInt(header.getNumber())), tlv(0x04, Buffer.from(header.getPreviousHash_asU8())), tlv(0x04, Buffer.from(header.getDataHash_asU8()))]));
}

/** Fabric's block header hash: SHA-256 of its header bytes; the next block's previous hash. */
export function blockHeaderHash(header: common.BlockHeader): Buffer {
  return createHash('sha256').update(blockHeaderBytes(header)).digest();
}

const UNSIGNED = 'no valid signature of an ordering node of the channel';

interface Signer {
  certificate: X509Certificate;
  label: string;
  /** BFT: the consenter it is (counted once towards the quorum). */
  consenterId?: number;
}

/** Who made one signature under the configuration in force, or what is wrong with it. */
function signerOf(signature: OrdererSignature, ordererCas: MspCas, ordering: OrderingService | undefined): Signer | { problem: string; label: string } {
  const consenters = ordering?.consenters;
  if (signature.kind === 'consenter') {
    const label = `consenter ${signature.consenterId}`;
    if (!consenters) return { label, problem: 'names a consenter id, but the channel is not ordered by BFT' };
    const consenter = consenters.find((c) => c.id === signature.consenterId);
    if (!consenter) return { label, problem: 'no consenter of the channel has this id' };
    // The mapping's identity must itself be a member of its ordering org (Fabric deserializes it through that MSP).
    const certificate = memberCertificate({ mspId: consenter.mspId, idBytes: consenter.identity }, ordererCas);
    return typeof certificate === 'string' ? { label: `${label} (${consenter.mspId})`, problem: certificate } : { certificate, label: `${label} (${consenter.mspId})`, consenterId: consenter.id };
  }
  const label = signature.creator.mspId;
  const certificate = memberCertificate(signature.creator, ordererCas);
  if (typeof certificate === 'string') return { label, problem: certificate };
  if (!consenters) return { certificate, label };
  // BFT's BlockValidation policy names the consenters' identities: another orderer of the same org does not count.
  const consenter = consenters.find((c) => c.mspId === signature.creator.mspId && Buffer.from(c.identity).equals(Buffer.from(signature.creator.idBytes)));
  return consenter ? { certificate, label, consenterId: consenter.id } : { label, problem: 'is not a consenter of the channel' };
}

/**
 * What is wrong with a block's orderer signatures (empty: nothing). Every signature must hold, not
 * merely enough of them (a block carrying good and forged signatures is not what the ordering
 * service wrote), and there must be at least one; under BFT (`ordering` with consenters), at least a
 * quorum of distinct consenters must have signed. The genesis block carries none.
 */
export function ordererSignatureProblems(block: ParsedBlock, ordererCas: MspCas, ordering?: OrderingService): string[] {
  const { value, signatures } = block.ordererSignatures;
  if (signatures.length === 0) return [UNSIGNED];
  const headerBytes = blockHeaderBytes(block.header);
  const problems: string[] = [];
  const consenters = new Set<number>();
  signatures.forEach((signature, i) => {
    const signer = signerOf(signature, ordererCas, ordering);
    const where = `orderer signature ${i + 1} of ${signatures.length} (${signer.label})`;
    if ('problem' in signer) {
      problems.push(`${where}: ${signer.problem}`);
      return;
    }
    let holds = false;
    try {
      holds = verify('sha256', Buffer.concat([value, signature.signedHeader, headerBytes]), signer.certificate.publicKey, signature.signature);
    } catch {
      holds = false;
    }
    if (!holds) problems.push(`${where}: does not verify`);
    else if (signer.consenterId !== undefined) consenters.add(signer.consenterId);
  });
  // Not one holds: the block was not signed by the ordering service at all (the usual message).
  if (problems.length === signatures.length) return [UNSIGNED];
  const { consenters: mapping, quorum } = ordering ?? {};
  if (mapping && quorum !== undefined && consenters.size < quorum) {
    problems.push(`signed by ${consenters.size} distinct consenter(s) of ${mapping.length}: a BFT block needs a quorum of ${quorum}`);
  }
  return problems;
}

/** Whether every orderer signature of the block holds (and there is one; under BFT, a quorum). */
export function signedByOrderer(block: ParsedBlock, ordererCas: MspCas, ordering?: OrderingService): boolean {
  return ordererSignatureProblems(block, ordererCas, ordering).length === 0;
}
