import type { Institution, InstitutionProfile } from '@econfirm/common';
import {
  chainInfo,
  DEMO_INSTITUTIONS,
  InstitutionKeyStore,
  LedgerCallError,
  newInstitutionKeys,
  publicJwk,
  registrationInput,
  RegistryClient,
  submitAndWait,
  type InstitutionPrivateKeys,
  type LedgerSession,
} from '@econfirm/sdk';
import * as path from 'node:path';
import { REPO_ROOT, untilCommitted, withLedger } from './network';

/** An institution as the test holds it: the registry record and its private keys. */
export interface HeldInstitution {
  record: Institution;
  keys: InstitutionPrivateKeys;
}

export function networkDir(): string {
  return process.env.ECONFIRM_NETWORK_DIR ?? path.join(REPO_ROOT, '.network');
}

/** The same demo custody folder the CLI's `demo seed` uses, so both agree on the demo keys. */
export function demoKeyStore(): InstitutionKeyStore {
  return new InstitutionKeyStore(path.join(networkDir(), 'institution-keys'));
}

function demoProfile(id: string): InstitutionProfile {
  const profile = DEMO_INSTITUTIONS.find((p) => p.id === id);
  if (!profile) throw new Error(`${id} is no demo institution`);
  return profile;
}

/**
 * A demo institution (FIRM1, BANK1: their MSP identities resolve to them) registered and with
 * private keys we hold. Registers it if missing; if it is registered with keys we do not hold
 * (another tool seeded it), rotates to fresh keys with a never-used kid, as its owner would.
 */
/** ensureDemoInstitution for each id, as the operator's admin: the usual set-up of a test suite. */
export function ensureDemoInstitutions(...ids: string[]): Promise<HeldInstitution[]> {
  return withLedger('operator', 'admin', async (admin) => {
    const held: HeldInstitution[] = [];
    for (const id of ids) held.push(await ensureDemoInstitution(admin, id));
    return held;
  });
}

export async function ensureDemoInstitution(admin: LedgerSession, id: string): Promise<HeldInstitution> {
  const registry = new RegistryClient(admin);
  const store = demoKeyStore();
  let record: Institution;
  try {
    record = await registry.get(id);
  } catch (err) {
    if (!(err instanceof LedgerCallError && err.code === 'NOT_FOUND')) throw err;
    const keys = store.loadOrCreate(id);
    const { institution } = await registry.register(registrationInput(demoProfile(id), keys));
    return { record: institution, keys };
  }
  if (store.has(id)) {
    const keys = store.load(id);
    if (keys.encryption.kid === record.encryptionKey.kid && keys.signing.kid === record.signingKey.kid) return { record, keys };
  }
  const keys = newInstitutionKeys(id, Date.now());
  const rotation = {
    encryptionKey: { kid: keys.encryption.kid, jwk: publicJwk(keys.encryption.jwk) },
    signingKey: { kid: keys.signing.kid, jwk: publicJwk(keys.signing.jwk) },
  };
  // Our store lost the registry's keys: recover as an institution that lost its key would — a
  // regulator approves exactly this rotation, the operator submits it (chaincode ApproveKeyRecovery).
  // Each step is endorsed on the next org's peer, so each waits until that peer has committed the
  // step before it (support/network.ts untilCommitted): the regulator endorses its approval on its
  // own peer, which commits the operator's registration a moment after the operator's peer.
  if (id !== 'REGULATOR') await ensureDemoInstitution(admin, 'REGULATOR');
  const operatorTop = (await chainInfo(admin.network)).height - 1n;
  const approvalTop = await withLedger('regulator', 'regulator1', async (regulator) => {
    await untilCommitted(regulator, operatorTop);
    await new RegistryClient(regulator).approveKeyRecovery(id, rotation);
    return (await chainInfo(regulator.network)).height - 1n;
  });
  await untilCommitted(admin, approvalTop);
  const outcome = await submitAndWait(admin.contract('registry'), 'RotateInstitutionKeys', { arguments: [id, JSON.stringify(rotation), ''] });
  store.save(keys);
  return { record: JSON.parse(Buffer.from(outcome.result).toString('utf8')) as Institution, keys };
}

/** Registers a fresh institution (unique id per run) and keeps its private keys in memory. */
export async function registerFresh(admin: LedgerSession, profile: InstitutionProfile): Promise<HeldInstitution> {
  const keys = newInstitutionKeys(profile.id);
  const { institution } = await new RegistryClient(admin).register(registrationInput(profile, keys));
  return { record: institution, keys };
}

/** A registration id of the right shape that no earlier run used. */
export function freshRegistrationId(prefix: string): string {
  return `${prefix}${Date.now().toString().slice(-10)}${Math.floor(Math.random() * 1000).toString().padStart(3, '0')}`;
}
