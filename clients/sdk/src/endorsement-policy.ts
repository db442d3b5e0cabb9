import { common, msp, peer } from '@hyperledger/fabric-protos';
import type { X509Certificate } from 'node:crypto';
import type { NamespaceReadWriteSet, ParsedTransaction } from './block-parser';
import { memberCertificate, type MspCas } from './transaction-signatures';

const ROLE_OU: Readonly<Record<number, string | undefined>> = {
  [msp.MSPRole.MSPRoleType.ADMIN]: 'admin',
  [msp.MSPRole.MSPRoleType.CLIENT]: 'client',
  [msp.MSPRole.MSPRoleType.PEER]: 'peer',
  [msp.MSPRole.MSPRoleType.ORDERER]: 'orderer',
};
const VALIDATION_INFO = /^namespaces\/fields\/([^/]+)\/ValidationInfo$/;

/** The metadata entry that holds a key's own endorsement policy (peer.MetaDataKeys, as Fabric names it: a SignaturePolicyEnvelope). */
export const VALIDATION_PARAMETER = 'VALIDATION_PARAMETER';

/** Where the key-level (state-based) policies in force are read: the committed state before the block (validation-replay.ts keeps it). */
export interface KeyLevelParameters {
  /** The VALIDATION_PARAMETER of a public key, or of a private key (by its hash, hex) of `collection`. */
  validationParameter(namespace: string, key: string, collection?: string): Uint8Array | undefined;
}

/** Codes given after the endorsement policy check: a transaction with one of them passed it (Fabric's vscc ran first). */
const PASSED_ENDORSEMENT_CHECK: ReadonlySet<string> = new Set(['VALID', 'MVCC_READ_CONFLICT', 'PHANTOM_READ_CONFLICT']);

/** An endorser as the policy sees it: its MSP and its certificate (signature already checked, transaction-signatures.ts). */
interface Signer {
  mspId: string;
  certificate: X509Certificate;
}

/** Whether `signer` is the principal: a role of an MSP (NodeOUs: the role is the certificate's OU), as Fabric's MSP judges it. */
function satisfies(signer: Signer, principal: msp.MSPPrincipal): boolean {
  if (principal.getPrincipalClassification() !== msp.MSPPrincipal.Classification.ROLE) return false;
  const role = msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8());
  if (role.getMspIdentifier() !== signer.mspId) return false;
  if (role.getRole() === msp.MSPRole.MSPRoleType.MEMBER) return true;
  const ou = ROLE_OU[role.getRole()];
  return ou !== undefined && signer.certificate.subject.split('\n').includes(`OU=${ou}`);
}

/**
 * Fabric's evaluation of a signature policy (common/cauthdsl): SignedBy(i) takes the first endorser
 * not used yet that is principal i; NOutOf(n) holds when n of its rules hold, each endorser used at
 * most once (a rule that fails gives back what it took).
 */
function holds(rule: common.SignaturePolicy, principals: readonly msp.MSPPrincipal[], signers: readonly Signer[], used: boolean[]): boolean {
  if (rule.getTypeCase() === common.SignaturePolicy.TypeCase.SIGNED_BY) {
    const principal = principals[rule.getSignedBy()];
    if (!principal) return false;
    const index = signers.findIndex((s, i) => !used[i] && satisfies(s, principal));
    if (index < 0) return false;
    used[index] = true;
    return true;
  }
  const nOutOf = rule.getNOutOf();
  if (!nOutOf) return false;
  let verified = 0;
  for (const child of nOutOf.getRulesList()) {
    const attempt = [...used];
    if (holds(child, principals, signers, attempt)) {
      verified += 1;
      attempt.forEach((u, i) => (used[i] = u));
    }
  }
  return verified >= nOutOf.getN();
}

/** A signature policy in words, for a break: OutOf(2, OperatorMSP.peer, …). */
function describe(rule: common.SignaturePolicy, principals: readonly msp.MSPPrincipal[]): string {
  if (rule.getTypeCase() === common.SignaturePolicy.TypeCase.SIGNED_BY) {
    const principal = principals[rule.getSignedBy()];
    if (!principal || principal.getPrincipalClassification() !== msp.MSPPrincipal.Classification.ROLE) return `principal ${rule.getSignedBy()}`;
    const role = msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8());
    return `${role.getMspIdentifier()}.${ROLE_OU[role.getRole()] ?? 'member'}`;
  }
  const nOutOf = rule.getNOutOf();
  return `OutOf(${nOutOf?.getN() ?? 0}, ${(nOutOf?.getRulesList() ?? []).map((r) => describe(r, principals)).join(', ')})`;
}

/** An endorsement policy as a chaincode definition or a collection states it (common.ApplicationPolicy). */
type ApplicationPolicy = { signature: common.SignaturePolicyEnvelope } | { reference: string } | 'unreadable';

/** The `_lifecycle` namespace answers to this channel policy (Fabric core/chaincode/lifecycle: LifecycleEndorsementPolicyRef). */
const LIFECYCLE = '_lifecycle';
const LIFECYCLE_ENDORSEMENT: ApplicationPolicy = { reference: '/Channel/Application/LifecycleEndorsement' };
const COLLECTIONS = /^namespaces\/fields\/([^/]+)\/Collections$/;
const IMPLICIT_COLLECTION = /^_implicit_org_(.+)$/;

/** A key-level policy: a SignaturePolicyEnvelope, as Fabric's v20 validator translates it (builtin/v20 toApplicationPolicyTranslator). */
function signaturePolicy(bytes: Uint8Array): ApplicationPolicy {
  try {
    return { signature: common.SignaturePolicyEnvelope.deserializeBinary(bytes) };
  } catch {
    return 'unreadable';
  }
}

/** Whether a namespace's read-write set writes anything (Fabric's txWritesToNamespace): values or metadata, public or private. */
function writesTo(set: NamespaceReadWriteSet): boolean {
  return set.writes.length > 0 || set.metadataWrites.length > 0 || set.collections.some((c) => c.writes.length > 0 || c.metadataWrites.length > 0);
}

/** One key of the state: namespace, collection ('' for public state) and key (a private key by its hash, hex). */
function keyId(namespace: string, collection: string, key: string): string {
  return `${namespace}\u0000${collection}\u0000${key}`;
}

function applicationPolicy(bytes: Uint8Array): ApplicationPolicy {
  try {
    const application = common.ApplicationPolicy.deserializeBinary(bytes);
    const signature = application.getSignaturePolicy();
    if (signature) return { signature };
    const reference = application.getChannelConfigPolicyReference();
    return reference ? { reference } : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

const IMPLICIT_RULE: Readonly<Record<number, string>> = {
  [common.ImplicitMetaPolicy.Rule.ANY]: 'ANY',
  [common.ImplicitMetaPolicy.Rule.ALL]: 'ALL',
  [common.ImplicitMetaPolicy.Rule.MAJORITY]: 'MAJORITY',
};

/** A policy's verdict and its statement in words (for a break). */
interface Verdict {
  holds: boolean;
  text: string;
}

/**
 * Fabric's evaluation of a channel configuration policy (common/policies): a signature policy as
 * cauthdsl evaluates it, or an implicit-meta policy — ANY, ALL or MAJORITY (more than half) of the
 * group's child groups whose policy of that name holds, each given every endorsement; a child
 * group without one counts and never holds (Fabric's reject policy).
 */
function configPolicy(group: common.ConfigGroup, name: string, signers: readonly Signer[], at: string): Verdict {
  const policy = group.getPoliciesMap().get(name)?.getPolicy();
  if (!policy) return { holds: false, text: `${at}${name} (not in the channel configuration)` };
  if (policy.getType() === common.Policy.PolicyType.SIGNATURE) {
    const envelope = common.SignaturePolicyEnvelope.deserializeBinary(policy.getValue_asU8());
    const rule = envelope.getRule();
    const identities = envelope.getIdentitiesList();
    return { holds: rule !== undefined && holds(rule, identities, signers, signers.map(() => false)), text: `${at}${name} ${rule ? describe(rule, identities) : '(empty)'}` };
  }
  if (policy.getType() === common.Policy.PolicyType.IMPLICIT_META) {
    const meta = common.ImplicitMetaPolicy.deserializeBinary(policy.getValue_asU8());
    const children = [...group.getGroupsMap().entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const rule = meta.getRule();
    const needed = children.length === 0 ? 0 : rule === common.ImplicitMetaPolicy.Rule.ANY ? 1 : rule === common.ImplicitMetaPolicy.Rule.ALL ? children.length : Math.floor(children.length / 2) + 1;
    const satisfied = children.filter(([child, sub]) => configPolicy(sub, meta.getSubPolicy(), signers, `${at}${child}/`).holds).map(([child]) => child);
    return { holds: satisfied.length >= needed, text: `${at}${name} = ${IMPLICIT_RULE[rule] ?? rule} ${meta.getSubPolicy()}: ${needed} of ${children.length} orgs needed, ${satisfied.length} satisfied${satisfied.length ? ` (${satisfied.join(', ')})` : ''}` };
  }
  return { holds: false, text: `${at}${name} (a policy of type ${policy.getType()}, not evaluated here)` };
}

/** A reference (`/Channel/Application/<Org>/Endorsement`) resolved in the configuration and evaluated. */
function referencedPolicy(config: common.Config | undefined, reference: string, signers: readonly Signer[]): Verdict {
  const path = reference.split('/').filter((part) => part !== '');
  if (!config || path[0] !== 'Channel' || path.length < 2) return { holds: false, text: `${reference} (not a policy of the channel configuration in force)` };
  let group = config.getChannelGroup();
  for (const part of path.slice(1, -1)) group = group?.getGroupsMap().get(part);
  if (!group) return { holds: false, text: `${reference} (not in the channel configuration)` };
  return configPolicy(group, path[path.length - 1] as string, signers, `/${path.slice(0, -1).join('/')}/`);
}

/** The org name (Application child group) whose MSP is `mspId`, in the configuration in force. */
function orgOfMsp(config: common.Config | undefined, mspId: string): string | undefined {
  const application = config?.getChannelGroup()?.getGroupsMap().get('Application');
  for (const [name, org] of application?.getGroupsMap().entries() ?? []) {
    const value = org.getValuesMap().get('MSP');
    if (!value) continue;
    const fabric = msp.FabricMSPConfig.deserializeBinary(msp.MSPConfig.deserializeBinary(value.getValue_asU8()).getConfig_asU8());
    if ((fabric.getName() || name) === mspId) return name;
  }
  return undefined;
}

/**
 * The chaincodes' endorsement policies as the chain defines them: each VALID `_lifecycle` write of
 * `namespaces/fields/<name>/ValidationInfo` (the committed chaincode definition) replaces the one in
 * force for that chaincode, and of `…/Collections` its collections' own policies; `_lifecycle`
 * itself answers to the channel's LifecycleEndorsement policy; channel policies are read from the
 * configuration in force at that block. A check that starts at block 0 therefore knows, at every
 * block, what each transaction's endorsements had to satisfy — nothing the peers say about it.
 *
 * Which policies a transaction must satisfy is Fabric's v20 validator's rule
 * (core/common/validation/statebased/validator_keylevel.go): its public writes in the invoked
 * chaincode's namespace the chaincode's policy; its writes in a collection the collection's policy
 * — an org's implicit collection (`_implicit_org_<MSP>`) that org's `Endorsement` policy (or any
 * member of it), a defined collection the policy its definition gives — else the chaincode's; and a
 * transaction that wrote nothing the chaincode's. A key with a key-level (state-based) policy — the
 * VALIDATION_PARAMETER its metadata holds in the committed state before the block (`keyLevel`) —
 * answers to that policy instead, for a write of its value or of its metadata; and, as Fabric's
 * validation-parameter manager (vpmanagerimpl.go) has it, a transaction that writes a key whose
 * metadata an earlier transaction of the same block wrote, one that passed its own endorsement
 * check, fails (ValidationParameterUpdatedError: ENDORSEMENT_POLICY_FAILURE).
 */
export class EndorsementPolicies {
  private readonly policies = new Map<string, ApplicationPolicy>([[LIFECYCLE, LIFECYCLE_ENDORSEMENT]]);
  private readonly collectionPolicies = new Map<string, Map<string, ApplicationPolicy>>();
  private config?: common.Config;
  /** Per transaction of the block being checked: the keys whose metadata earlier transactions of it wrote. */
  private metadataWrittenBefore: ReadonlySet<string>[] = [];

  constructor(private readonly keyLevel?: KeyLevelParameters) {}

  /** The channel configuration from this block on (a configuration block, the genesis block first). */
  useConfig(config: common.Config): void {
    this.config = config;
  }

  /** Before a block's transactions are checked: which of them follow a metadata write of the same block to a key. */
  beginBlock(transactions: readonly ParsedTransaction[]): void {
    const written = new Set<string>();
    this.metadataWrittenBefore = transactions.map((tx) => {
      const before: ReadonlySet<string> = new Set(written);
      if (PASSED_ENDORSEMENT_CHECK.has(tx.validation)) {
        for (const action of tx.actions) {
          for (const set of action.readWriteSets) {
            for (const m of set.metadataWrites) written.add(keyId(set.namespace, '', m.key));
            for (const c of set.collections) for (const m of c.metadataWrites) written.add(keyId(set.namespace, c.collection, Buffer.from(m.keyHash).toString('hex')));
          }
        }
      }
      return before;
    });
  }

  /** What is wrong with a VALID transaction's endorsements against the policies in force (empty: none); `index` is its place in the block begun. */
  problems(tx: ParsedTransaction, cas: MspCas, index = -1): string[] {
    const found: string[] = [];
    const updatedBefore = this.metadataWrittenBefore[index];
    tx.actions.forEach((action, a) => {
      const invoked = action.chaincode.name;
      const signers: Signer[] = [];
      // One identity counts once however often it endorsed, as Fabric's policies.SignatureSetToValidIdentities has it.
      const seen = new Set<string>();
      for (const e of action.endorsements) {
        const identity = `${e.endorser.mspId}\u0000${Buffer.from(e.endorser.idBytes).toString('hex')}`;
        if (seen.has(identity)) continue;
        seen.add(identity);
        const certificate = memberCertificate(e.endorser, cas);
        if (typeof certificate !== 'string') signers.push({ mspId: e.endorser.mspId, certificate });
      }
      const endorsers = action.endorsements.map((e) => e.endorser.mspId).join(', ') || 'none';
      // Fabric's dispatcher (committer/txvalidator/v20/plugindispatcher) validates the invoked
      // chaincode's namespace and every other namespace the action writes (a chaincode that called
      // another), each against that namespace's own policies.
      const namespaces = [invoked, ...action.readWriteSets.filter((set) => set.namespace !== invoked && writesTo(set)).map((set) => set.namespace)];
      for (const name of namespaces) {
        const chaincodePolicy = this.policies.get(name);
        if (chaincodePolicy === undefined || chaincodePolicy === 'unreadable') {
          if (name !== invoked) found.push(`action ${a}: it writes into ${name}, which no committed chaincode definition names: Fabric marks it INVALID_CHAINCODE`);
          continue;
        }
        found.push(...this.namespaceProblems(`action ${a}`, name, chaincodePolicy, action.readWriteSets.find((set) => set.namespace === name), signers, endorsers, updatedBefore));
      }
    });
    return found;
  }

  /**
   * One namespace of an action, as Fabric's v20 evaluator (statebased/v20.go) holds it: each written
   * key checks its key-level policy or, lacking one, the collection's or the chaincode's (each
   * once); nothing checked: the chaincode's.
   */
  private namespaceProblems(at: string, name: string, chaincodePolicy: ApplicationPolicy, written: NamespaceReadWriteSet | undefined, signers: readonly Signer[], endorsers: string, updatedBefore: ReadonlySet<string> | undefined): string[] {
    const found: string[] = [];
    const checked = new Set<string>();
    let someChecked = false;
    const level = (collection: string, key: string, shown: string): void => {
      if (updatedBefore?.has(keyId(name, collection, key))) {
        found.push(`${at}: it writes ${shown}, whose key-level endorsement policy an earlier transaction of this block wrote: Fabric invalidates it (ENDORSEMENT_POLICY_FAILURE)`);
        someChecked = true; // Fabric stops here: no other policy is asked for
        return;
      }
      const parameter = this.keyLevel?.validationParameter(name, key, collection === '' ? undefined : collection);
      if (parameter) {
        someChecked = true;
        const verdict = this.evaluate(signaturePolicy(parameter), signers);
        if (!verdict.holds) found.push(`${at}: its endorsements (${endorsers}) do not satisfy the key-level endorsement policy of ${shown}: ${verdict.text}`);
        return;
      }
      const own = collection === '' ? undefined : this.collectionPolicy(name, collection);
      const scope = own === undefined ? '' : collection;
      if (checked.has(scope)) return;
      checked.add(scope);
      someChecked = true;
      const verdict = this.evaluate(own ?? chaincodePolicy, signers);
      if (!verdict.holds) {
        found.push(own === undefined
          ? `${at}: its endorsements (${endorsers}) do not satisfy ${name}'s endorsement policy ${verdict.text}`
          : `${at}: its endorsements (${endorsers}) do not satisfy the endorsement policy of ${name}'s collection ${collection}: ${verdict.text}`);
      }
    };
    for (const w of written?.writes ?? []) level('', w.key, `${name}/${JSON.stringify(w.key)}`);
    for (const m of written?.metadataWrites ?? []) level('', m.key, `${name}/${JSON.stringify(m.key)} (its metadata)`);
    for (const c of written?.collections ?? []) {
      for (const w of c.writes) level(c.collection, Buffer.from(w.keyHash).toString('hex'), `${name}/${c.collection}/#${Buffer.from(w.keyHash).toString('hex').slice(0, 16)}`);
      for (const m of c.metadataWrites) level(c.collection, Buffer.from(m.keyHash).toString('hex'), `${name}/${c.collection}/#${Buffer.from(m.keyHash).toString('hex').slice(0, 16)} (its metadata)`);
    }
    if (!someChecked) {
      const verdict = this.evaluate(chaincodePolicy, signers);
      if (!verdict.holds) found.push(`${at}: its endorsements (${endorsers}) do not satisfy ${name}'s endorsement policy ${verdict.text}`);
    }
    return found;
  }

  /** A collection's own policy, or undefined when the chaincode's applies (Fabric's CollectionValidationInfo). */
  private collectionPolicy(chaincode: string, collection: string): ApplicationPolicy | undefined {
    const implicit = IMPLICIT_COLLECTION.exec(collection)?.[1];
    if (implicit !== undefined) {
      const org = orgOfMsp(this.config, implicit);
      const endorsement = org === undefined ? undefined : this.config?.getChannelGroup()?.getGroupsMap().get('Application')?.getGroupsMap().get(org)?.getPoliciesMap().get('Endorsement');
      if (org !== undefined && endorsement) return { reference: `/Channel/Application/${org}/Endorsement` };
      // A channel without org-level endorsement policies: any member of the org (Fabric's default).
      const principal = new msp.MSPPrincipal();
      principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
      const role = new msp.MSPRole();
      role.setMspIdentifier(implicit);
      role.setRole(msp.MSPRole.MSPRoleType.MEMBER);
      principal.setPrincipal(role.serializeBinary());
      const rule = new common.SignaturePolicy();
      rule.setSignedBy(0);
      const envelope = new common.SignaturePolicyEnvelope();
      envelope.setRule(rule);
      envelope.setIdentitiesList([principal]);
      return { signature: envelope };
    }
    return this.collectionPolicies.get(chaincode)?.get(collection);
  }

  private evaluate(policy: ApplicationPolicy, signers: readonly Signer[]): Verdict {
    if (policy === 'unreadable') return { holds: false, text: '(unreadable)' };
    if ('reference' in policy) return referencedPolicy(this.config, policy.reference, signers);
    const rule = policy.signature.getRule();
    const identities = policy.signature.getIdentitiesList();
    return { holds: rule !== undefined && holds(rule, identities, signers, signers.map(() => false)), text: rule ? describe(rule, identities) : '(empty)' };
  }

  /** After a VALID transaction: a committed chaincode definition replaces that chaincode's policies. */
  observe(tx: ParsedTransaction): void {
    for (const action of tx.actions) {
      for (const set of action.readWriteSets) {
        if (set.namespace !== LIFECYCLE) continue;
        for (const write of set.writes) {
          if (write.isDelete) continue;
          const validated = VALIDATION_INFO.exec(write.key)?.[1];
          const collections = COLLECTIONS.exec(write.key)?.[1];
          try {
            const bytes = peer.lifecycle.StateData.deserializeBinary(write.value).getBytes_asU8();
            if (validated && validated !== LIFECYCLE) {
              this.policies.set(validated, applicationPolicy(peer.lifecycle.ChaincodeValidationInfo.deserializeBinary(bytes).getValidationParameter_asU8()));
            }
            if (collections) {
              const own = new Map<string, ApplicationPolicy>();
              for (const entry of peer.CollectionConfigPackage.deserializeBinary(bytes).getConfigList()) {
                const config = entry.getStaticCollectionConfig();
                const policy = config?.getEndorsementPolicy();
                if (config && policy) own.set(config.getName(), applicationPolicy(policy.serializeBinary()));
              }
              this.collectionPolicies.set(collections, own);
            }
          } catch {
            if (validated) this.policies.set(validated, 'unreadable');
          }
        }
      }
    }
  }
}
