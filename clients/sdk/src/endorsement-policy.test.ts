import { common, msp, peer } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KeyMetadataWrite, KeyWrite, NamespaceReadWriteSet, ParsedTransaction } from './block-parser';
import { EndorsementPolicies, VALIDATION_PARAMETER } from './endorsement-policy';
import { makeNode } from './openssl-certificates.test-support';
import type { MspCas } from './transaction-signatures';
import { ValidationReplay } from './validation-replay';

const CC = 'econfirm';

/** One of `mspIds`' peers (OutOf(1, <msp>.peer, …)) as a SignaturePolicyEnvelope, as Fabric's statebased.NewStateEP writes a key-level policy. */
function peerOf(...mspIds: string[]): common.SignaturePolicyEnvelope {
  return outOf(1, ...mspIds);
}

/** OutOf(n, <msp>.peer, …): n of the principals, each a peer of the MSP named. */
function outOf(n: number, ...mspIds: string[]): common.SignaturePolicyEnvelope {
  const envelope = new common.SignaturePolicyEnvelope();
  envelope.setIdentitiesList(
    mspIds.map((mspId) => {
      const role = new msp.MSPRole();
      role.setMspIdentifier(mspId);
      role.setRole(msp.MSPRole.MSPRoleType.PEER);
      const principal = new msp.MSPPrincipal();
      principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
      principal.setPrincipal(role.serializeBinary());
      return principal;
    }),
  );
  const nOutOf = new common.SignaturePolicy.NOutOf();
  nOutOf.setN(n);
  nOutOf.setRulesList(
    mspIds.map((_, i) => {
      const rule = new common.SignaturePolicy();
      rule.setSignedBy(i);
      return rule;
    }),
  );
  const rule = new common.SignaturePolicy();
  rule.setNOutOf(nOutOf);
  envelope.setRule(rule);
  return envelope;
}

function set(parts: Partial<Omit<NamespaceReadWriteSet, 'namespace'>>, namespace = CC): NamespaceReadWriteSet {
  return { namespace, reads: [], rangeQueries: [], writes: [], metadataWrites: [], collections: [], ...parts };
}
const put = (key: string): KeyWrite => ({ key, isDelete: false, value: Buffer.from('v') });
const keyPolicy = (key: string, policy?: common.SignaturePolicyEnvelope): KeyMetadataWrite => ({ key, entries: policy ? [{ name: VALIDATION_PARAMETER, value: policy.serializeBinary() }] : [] });

describe('endorsement policies: key-level (state-based) policies, as Fabric’s v20 validator holds them (endorsement-policy.ts)', function () {
  this.timeout(20_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-sbe-'));
  const cas = new Map<string, X509Certificate[]>();
  const peers = new Map<string, string>();
  for (const org of ['Org1MSP', 'Org2MSP']) {
    cas.set(org, [new X509Certificate(makeNode(dir, `${org}-ca`).certPem)]);
    peers.set(org, makeNode(dir, `${org}-peer`, { name: `${org}-ca` }, 'peer').certPem);
  }
  after(() => rmSync(dir, { recursive: true, force: true }));

  let number = 0;
  function tx(validation: string, endorsers: readonly string[], ...sets: NamespaceReadWriteSet[]): ParsedTransaction {
    number += 1;
    const endorsements = endorsers.map((mspId) => ({ endorser: { mspId, idBytes: Buffer.from(peers.get(mspId) as string) }, endorserBytes: new Uint8Array(), signature: new Uint8Array() }));
    const actions = [{ chaincode: { name: sets[0]?.namespace ?? CC, version: '1' }, endorsements, readWriteSets: sets }];
    // The policy check reads the actions only (block-parser.ts's ParsedTransaction has more).
    return { transactionId: `t${number}`, validation, isValid: validation === 'VALID', type: common.HeaderType.ENDORSER_TRANSACTION, actions } as unknown as ParsedTransaction;
  }

  /** A chain where the chaincode's own policy is Org1's peer (chaincode `other`'s Org2's), and block 1 left `k` with a key-level policy of Org2's peer and `plain` without one. */
  function chain(): { replay: ValidationReplay; policies: EndorsementPolicies; members: MspCas } {
    const replay = new ValidationReplay();
    const policies = new EndorsementPolicies(replay);
    const define = (chaincode: string, policy: common.SignaturePolicyEnvelope): KeyWrite => {
      const application = new common.ApplicationPolicy();
      application.setSignaturePolicy(policy);
      const info = new peer.lifecycle.ChaincodeValidationInfo();
      info.setValidationParameter(application.serializeBinary());
      const state = new peer.lifecycle.StateData();
      state.setBytes(info.serializeBinary());
      return { key: `namespaces/fields/${chaincode}/ValidationInfo`, isDelete: false, value: state.serializeBinary() };
    };
    policies.observe(tx('VALID', [], set({ writes: [define(CC, peerOf('Org1MSP')), define('other', peerOf('Org2MSP'))] }, '_lifecycle')));
    const seeding = [tx('VALID', ['Org1MSP'], set({ writes: [put('k'), put('plain')], metadataWrites: [keyPolicy('k', peerOf('Org2MSP'))] }))];
    expect(replay.apply({ number: 1n, transactions: seeding })).to.deep.equal([]);
    return { replay, policies, members: cas };
  }

  function problems(policies: EndorsementPolicies, members: MspCas, ...block: ParsedTransaction[]): string[][] {
    policies.beginBlock(block);
    return block.map((t, i) => (t.isValid ? policies.problems(t, members, i) : []));
  }

  it('a write of a key with its own policy answers to that policy, not the chaincode’s: Org2 alone may write k, Org1 alone may not', function () {
    const { policies, members } = chain();
    expect(problems(policies, members, tx('VALID', ['Org2MSP'], set({ writes: [put('k')] })))).to.deep.equal([[]]);
    const [refused] = problems(policies, members, tx('VALID', ['Org1MSP'], set({ writes: [put('k')] })));
    expect(refused).to.deep.equal(['action 0: its endorsements (Org1MSP) do not satisfy the key-level endorsement policy of econfirm/"k": OutOf(1, Org2MSP.peer)']);
  });

  it('a key without one answers to the chaincode’s policy, beside the key-level one of another key it writes', function () {
    const { policies, members } = chain();
    const [both] = problems(policies, members, tx('VALID', ['Org2MSP'], set({ writes: [put('k'), put('plain')] })));
    expect(both).to.deep.equal(["action 0: its endorsements (Org2MSP) do not satisfy econfirm's endorsement policy OutOf(1, Org1MSP.peer)"]);
    expect(problems(policies, members, tx('VALID', ['Org1MSP', 'Org2MSP'], set({ writes: [put('k'), put('plain')] })))).to.deep.equal([[]]);
  });

  it('a change of a key’s metadata answers to the policy in force before it: Org1 may not lift Org2’s policy', function () {
    const { policies, members } = chain();
    const [lifted] = problems(policies, members, tx('VALID', ['Org1MSP'], set({ metadataWrites: [keyPolicy('k')] })));
    expect(lifted).to.deep.equal(['action 0: its endorsements (Org1MSP) do not satisfy the key-level endorsement policy of econfirm/"k" (its metadata): OutOf(1, Org2MSP.peer)']);
  });

  it('a write after an earlier transaction of the same block changed the key’s metadata is one Fabric invalidates; an earlier one refused by its policy does not count', function () {
    const { policies, members } = chain();
    const change = tx('VALID', ['Org2MSP'], set({ metadataWrites: [keyPolicy('k', peerOf('Org1MSP'))] }));
    const after = tx('VALID', ['Org2MSP'], set({ writes: [put('k')] }));
    expect(problems(policies, members, change, after)[1]).to.deep.equal(['action 0: it writes econfirm/"k", whose key-level endorsement policy an earlier transaction of this block wrote: Fabric invalidates it (ENDORSEMENT_POLICY_FAILURE)']);
    const refusedChange = tx('ENDORSEMENT_POLICY_FAILURE', ['Org1MSP'], set({ metadataWrites: [keyPolicy('k', peerOf('Org1MSP'))] }));
    expect(problems(policies, members, refusedChange, tx('VALID', ['Org2MSP'], set({ writes: [put('k')] })))[1]).to.deep.equal([]);
  });

  it('a write into another chaincode’s namespace (a chaincode-to-chaincode call) answers to that chaincode’s policy too; one into a namespace no definition names is INVALID_CHAINCODE', function () {
    const { policies, members } = chain();
    const [called] = problems(policies, members, tx('VALID', ['Org1MSP'], set({ writes: [put('plain')] }), set({ writes: [put('x')] }, 'other')));
    expect(called).to.deep.equal(["action 0: its endorsements (Org1MSP) do not satisfy other's endorsement policy OutOf(1, Org2MSP.peer)"]);
    expect(problems(policies, members, tx('VALID', ['Org1MSP', 'Org2MSP'], set({ writes: [put('plain')] }), set({ writes: [put('x')] }, 'other')))).to.deep.equal([[]]);
    // Read only: not validated against it.
    expect(problems(policies, members, tx('VALID', ['Org1MSP'], set({ writes: [put('plain')] }), set({ reads: [{ key: 'x' }] }, 'other')))).to.deep.equal([[]]);
    const [unknown] = problems(policies, members, tx('VALID', ['Org1MSP'], set({ writes: [put('plain')] }), set({ writes: [put('x')] }, 'ghost')));
    expect(unknown).to.deep.equal(['action 0: it writes into ghost, which no committed chaincode definition names: Fabric marks it INVALID_CHAINCODE']);
  });

  it('one identity counts once however often it endorsed: two endorsements by the same peer are not two peers of its org', function () {
    const { policies, members, replay } = chain();
    expect(replay.apply({ number: 2n, transactions: [tx('VALID', ['Org2MSP'], set({ metadataWrites: [keyPolicy('k', outOf(2, 'Org1MSP', 'Org1MSP'))] }))] })).to.deep.equal([]);
    const [twice] = problems(policies, members, tx('VALID', ['Org1MSP', 'Org1MSP'], set({ writes: [put('k')] })));
    expect(twice).to.deep.equal(['action 0: its endorsements (Org1MSP, Org1MSP) do not satisfy the key-level endorsement policy of econfirm/"k": OutOf(2, Org1MSP.peer, Org1MSP.peer)']);
  });

  it('the state replayed keeps the policy through a value write, drops it with the key or an empty metadata write, and a metadata write gives the key a new version', function () {
    const { replay } = chain();
    expect(replay.apply({ number: 2n, transactions: [tx('VALID', ['Org2MSP'], set({ writes: [put('k')] }))] })).to.deep.equal([]);
    expect(replay.validationParameter(CC, 'k')).to.deep.equal(peerOf('Org2MSP').serializeBinary());
    // A metadata write is a new version of the key: a read of the version before it is stale.
    expect(replay.apply({ number: 3n, transactions: [tx('VALID', ['Org2MSP'], set({ metadataWrites: [keyPolicy('k', peerOf('Org1MSP'))] }))] })).to.deep.equal([]);
    expect(replay.validationParameter(CC, 'k')).to.deep.equal(peerOf('Org1MSP').serializeBinary());
    const stale = tx('VALID', ['Org1MSP'], set({ reads: [{ key: 'k', version: { blockNumber: 2n, transactionNumber: 0n } }] }));
    expect(replay.apply({ number: 4n, transactions: [stale] })).to.have.length(1);
    expect(replay.apply({ number: 5n, transactions: [tx('VALID', ['Org1MSP'], set({ metadataWrites: [keyPolicy('k')] }))] })).to.deep.equal([]);
    expect(replay.validationParameter(CC, 'k')).to.equal(undefined);
    // On a key that does not exist a metadata write is dropped (Fabric's tx_ops.go).
    expect(replay.apply({ number: 6n, transactions: [tx('VALID', ['Org1MSP'], set({ metadataWrites: [keyPolicy('ghost', peerOf('Org2MSP'))] }))] })).to.deep.equal([]);
    expect(replay.validationParameter(CC, 'ghost')).to.equal(undefined);
    expect(replay.apply({ number: 7n, transactions: [tx('VALID', ['Org1MSP'], set({ metadataWrites: [keyPolicy('plain', peerOf('Org2MSP'))] }))] })).to.deep.equal([]);
    expect(replay.apply({ number: 8n, transactions: [tx('VALID', ['Org2MSP'], set({ writes: [{ key: 'plain', isDelete: true, value: new Uint8Array() }] }))] })).to.deep.equal([]);
    expect(replay.validationParameter(CC, 'plain')).to.equal(undefined);
  });
});
