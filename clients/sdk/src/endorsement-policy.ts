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

/**
 * The chaincodes' endorsement policies as the chain defines them: each VALID `_lifecycle` write of
 * `namespaces/fields/<name>/ValidationInfo` (the committed chaincode definition) replaces the one in
 * force for that chaincode. A check that starts at block 0 therefore knows, at every block, what each
 * chaincode's endorsements had to satisfy — nothing the peers say about it.
 */
export class EndorsementPolicies {
  private readonly policies = new Map<string, common.SignaturePolicyEnvelope | string>();

  /** What is wrong with a VALID transaction's endorsements against the policy in force (empty: none). */
  problems(tx: ParsedTransaction, cas: MspCas): string[] {
    const found: string[] = [];
    tx.actions.forEach((action, a) => {
      const policy = this.policies.get(action.chaincode.name);
      // System chaincodes (_lifecycle…) answer to channel policies; a reference to a channel policy is not evaluated here.
      if (policy === undefined || typeof policy === 'string') return;
      const signers: Signer[] = [];
      for (const e of action.endorsements) {
        const certificate = memberCertificate(e.endorser, cas);
        if (typeof certificate !== 'string') signers.push({ mspId: e.endorser.mspId, certificate });
      }
      const rule = policy.getRule();
      if (!rule || !holds(rule, policy.getIdentitiesList(), signers, signers.map(() => false))) {
        found.push(`action ${a}: its endorsements (${action.endorsements.map((e) => e.endorser.mspId).join(', ') || 'none'}) do not satisfy ${action.chaincode.name}'s endorsement policy ${rule ? describe(rule, policy.getIdentitiesList()) : '(empty)'}`);
      }
    });
    return found;
  }

  /** After a VALID transaction: a committed chaincode definition replaces that chaincode's policy. */
  observe(tx: ParsedTransaction): void {
    for (const action of tx.actions) {
      for (const set of action.readWriteSets) {
        if (set.namespace !== '_lifecycle') continue;
        for (const write of set.writes) {
          const name = VALIDATION_INFO.exec(write.key)?.[1];
          if (!name || write.isDelete) continue;
          try {
            const info = peer.lifecycle.ChaincodeValidationInfo.deserializeBinary(peer.lifecycle.StateData.deserializeBinary(write.value).getBytes_asU8());
            const application = common.ApplicationPolicy.deserializeBinary(info.getValidationParameter_asU8());
            const signature = application.getSignaturePolicy();
            this.policies.set(name, signature ?? application.getChannelConfigPolicyReference());
          } catch {
            this.policies.set(name, 'unreadable');
          }
        }
      }
    }
  }
}
