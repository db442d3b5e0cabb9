import { common, msp, peer } from '@hyperledger/fabric-protos';
import type { X509Certificate } from 'node:crypto';
import type { ParsedTransaction } from './block-parser';
import { memberCertificate, type MspCas } from './transaction-signatures';

const ROLE_OU: Readonly<Record<number, string | undefined>> = {
  [msp.MSPRole.MSPRoleType.ADMIN]: 'admin',
  [msp.MSPRole.MSPRoleType.CLIENT]: 'client',
  [msp.MSPRole.MSPRoleType.PEER]: 'peer',
  [msp.MSPRole.MSPRoleType.ORDERER]: 'orderer',
};
const VALIDATION_INFO = /^namespaces\/fields\/([^/]+)\/ValidationInfo$/;

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
 * transaction that wrote nothing the chaincode's. Key-level (state-based) policies are not held:
 * their metadata writes are not followed here.
 */
export class EndorsementPolicies {
  private readonly policies = new Map<string, ApplicationPolicy>([[LIFECYCLE, LIFECYCLE_ENDORSEMENT]]);
  private readonly collectionPolicies = new Map<string, Map<string, ApplicationPolicy>>();
  private config?: common.Config;

  /** The channel configuration from this block on (a configuration block, the genesis block first). */
  useConfig(config: common.Config): void {
    this.config = config;
  }

  /** What is wrong with a VALID transaction's endorsements against the policies in force (empty: none). */
  problems(tx: ParsedTransaction, cas: MspCas): string[] {
    const found: string[] = [];
    tx.actions.forEach((action, a) => {
      const name = action.chaincode.name;
      const chaincodePolicy = this.policies.get(name);
      if (chaincodePolicy === undefined || chaincodePolicy === 'unreadable') return;
      const signers: Signer[] = [];
      for (const e of action.endorsements) {
        const certificate = memberCertificate(e.endorser, cas);
        if (typeof certificate !== 'string') signers.push({ mspId: e.endorser.mspId, certificate });
      }
      const endorsers = action.endorsements.map((e) => e.endorser.mspId).join(', ') || 'none';
      const written = action.readWriteSets.find((set) => set.namespace === name);
      let chaincodeLevel = (written?.writes.length ?? 0) > 0;
      let checked = false;
      for (const collection of written?.collections ?? []) {
        if (collection.writes.length === 0) continue;
        const own = this.collectionPolicy(name, collection.collection);
        if (own === undefined) {
          chaincodeLevel = true;
          continue;
        }
        checked = true;
        const verdict = this.evaluate(own, signers);
        if (!verdict.holds) found.push(`action ${a}: its endorsements (${endorsers}) do not satisfy the endorsement policy of ${name}'s collection ${collection.collection}: ${verdict.text}`);
      }
      if (chaincodeLevel || !checked) {
        const verdict = this.evaluate(chaincodePolicy, signers);
        if (!verdict.holds) found.push(`action ${a}: its endorsements (${endorsers}) do not satisfy ${name}'s endorsement policy ${verdict.text}`);
      }
    });
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
