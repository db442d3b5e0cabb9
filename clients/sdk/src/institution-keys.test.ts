import { REGISTRY_CONSENT_TYPE, registryConsentPayload, type Institution } from '@econfirm/common';
import { expect } from 'chai';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openWithKeys, seal, type Recipient } from './content-crypto';
import {
  completeKeyRotation,
  encryptionKeyByKid,
  InstitutionKeyStore,
  KeyStoreMismatchError,
  newInstitutionKeys,
  nextKeyGeneration,
  publicJwk,
  rotateStoredKeys,
  stageKeyRotation,
  type InstitutionPrivateKeys,
  type KeyRotationLedger,
} from './institution-keys';

const recipientOf = (k: { kid: string; jwk: JsonWebKey }): Recipient => ({ kid: k.kid, jwk: publicJwk(k.jwk) });

/** A registry record of `keys` as the chaincode would hold it. */
function recordOf(keys: InstitutionPrivateKeys, retired: string[] = []): Institution {
  return {
    id: keys.institutionId,
    encryptionKey: { kid: keys.encryption.kid, jwk: publicJwk(keys.encryption.jwk) },
    signingKey: { kid: keys.signing.kid, jwk: publicJwk(keys.signing.jwk) },
    retiredKeys: retired.map((kid) => ({ kid, jwk: publicJwk(keys.encryption.jwk), retiredAt: '2026-01-01T00:00:00.000Z' })),
    updatedAt: '2026-01-02T00:00:00.000Z',
  } as unknown as Institution;
}

/** A registry that rotates when asked (or refuses), counting submissions. */
function fakeRegistry(initial: Institution, refuse = false): KeyRotationLedger & { record: Institution; submitted: number; consents: string[] } {
  const ledger = {
    record: initial,
    submitted: 0,
    consents: [] as string[],
    read: () => Promise.resolve(ledger.record),
    rotate: (_id: string, input: { encryptionKey: { kid: string; jwk: object }; signingKey: { kid: string; jwk: object } }, consent = '') => {
      ledger.submitted += 1;
      ledger.consents.push(consent);
      if (refuse) return Promise.reject(new Error('FORBIDDEN'));
      ledger.record = {
        ...ledger.record,
        encryptionKey: input.encryptionKey,
        signingKey: input.signingKey,
        retiredKeys: [...ledger.record.retiredKeys, ledger.record.encryptionKey, ledger.record.signingKey],
      } as Institution;
      return Promise.resolve(ledger.record);
    },
  };
  return ledger;
}

describe('institution keys: rotation keeps the old private keys', function () {
  let dir: string;
  let store: InstitutionKeyStore;
  beforeEach(function () {
    dir = mkdtempSync(path.join(tmpdir(), 'econfirm-keys-'));
    store = new InstitutionKeyStore(dir);
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a key file written before rotation existed (no retired, no pending)', async function () {
    const legacy = newInstitutionKeys('FIRM1');
    writeFileSync(path.join(dir, 'FIRM1.keys.json'), JSON.stringify(legacy));
    const loaded = store.load('FIRM1');
    expect(encryptionKeyByKid(loaded, legacy.encryption.kid)?.kid).to.equal('FIRM1-enc-1');
    const sealed = await seal({ a: 1 }, [recipientOf(legacy.encryption)]);
    expect((await openWithKeys<{ a: number }>(sealed, loaded)).content).to.deep.equal({ a: 1 });
  });

  it('numbers the next generation after every kid it knows', function () {
    expect(nextKeyGeneration(['X-enc-1', 'X-sig-1'])).to.equal(2);
    expect(nextKeyGeneration(['X-enc-3', 'X-sig-7', 'custom-kid'])).to.equal(8);
    expect(nextKeyGeneration([])).to.equal(1);
  });

  it('stage + complete: new keys current, old ones retired; content sealed to either opens', async function () {
    const keys = newInstitutionKeys('BANK1');
    const oldSealed = await seal('old', [recipientOf(keys.encryption)]);
    const staged = stageKeyRotation(keys, ['BANK1-enc-4']);
    expect(staged.pending?.encryption.kid).to.equal('BANK1-enc-5');
    const rotated = completeKeyRotation(staged);
    expect(rotated.pending).to.equal(undefined);
    expect(rotated.encryption.kid).to.equal('BANK1-enc-5');
    expect(rotated.retired?.map((k) => `${k.use}:${k.kid}`)).to.deep.equal(['encryption:BANK1-enc-1', 'signing:BANK1-sig-1']);
    const newSealed = await seal('new', [recipientOf(rotated.encryption)]);
    expect((await openWithKeys<string>(oldSealed, rotated)).content).to.equal('old');
    expect((await openWithKeys<string>(newSealed, rotated)).content).to.equal('new');
    const stranger = newInstitutionKeys('BANK9');
    let refused: Error | undefined;
    await openWithKeys(oldSealed, stranger).catch((err: Error) => (refused = err));
    expect(refused?.message).to.contain('not addressed');
  });

  it('rotateStoredKeys submits the public halves, then saves current + retired; kids never reused', async function () {
    const keys = newInstitutionKeys('FIRM1');
    store.save(keys);
    const registry = fakeRegistry(recordOf(keys, ['FIRM1-enc-0', 'FIRM1-sig-3']));
    const outcome = await rotateStoredKeys(store, 'FIRM1', registry);
    expect(registry.submitted).to.equal(1);
    expect(outcome.resumed).to.equal(false);
    const saved = store.load('FIRM1');
    expect(saved.encryption.kid).to.equal('FIRM1-enc-4');
    expect(registry.record.encryptionKey.kid).to.equal('FIRM1-enc-4');
    expect(JSON.stringify(registry.record)).not.to.contain('"d"');
    expect(saved.retired?.map((k) => k.kid)).to.deep.equal(['FIRM1-enc-1', 'FIRM1-sig-1']);
  });

  it('rotateStoredKeys submits the consent of the current signing key over exactly the rotation and record version', async function () {
    const keys = newInstitutionKeys('FIRM1');
    store.save(keys);
    const before = recordOf(keys);
    const registry = fakeRegistry(before);
    await rotateStoredKeys(store, 'FIRM1', registry);
    const [h, p, sig] = (registry.consents[0] ?? '').split('.');
    expect(JSON.parse(Buffer.from(h ?? '', 'base64url').toString())).to.deep.equal({ alg: 'ES256', kid: 'FIRM1-sig-1', typ: REGISTRY_CONSENT_TYPE });
    const change = { encryptionKey: registry.record.encryptionKey, signingKey: registry.record.signingKey };
    expect(Buffer.from(p ?? '', 'base64url').toString()).to.equal(registryConsentPayload({ action: 'RotateInstitutionKeys', institutionId: 'FIRM1', basis: before.updatedAt, change }));
    const key = createPublicKey({ key: keys.signing.jwk, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig ?? '', 'base64url'))).to.equal(true);
  });

  it('a refused submission leaves the keys staged; a re-run after the registry took them only finishes', async function () {
    const keys = newInstitutionKeys('FIRM1');
    store.save(keys);
    const refusing = fakeRegistry(recordOf(keys), true);
    let failed = false;
    await rotateStoredKeys(store, 'FIRM1', refusing).catch(() => (failed = true));
    expect(failed).to.equal(true);
    const staged = store.load('FIRM1');
    expect(staged.encryption.kid).to.equal('FIRM1-enc-1');
    expect(staged.pending?.encryption.kid).to.equal('FIRM1-enc-2');
    // Content sealed to the staged key (the registry committed, the gateway crashed before saving) opens.
    const sealedToPending = await seal('x', [recipientOf(staged.pending?.encryption as { kid: string; jwk: JsonWebKey })]);
    expect((await openWithKeys<string>(sealedToPending, staged)).content).to.equal('x');
    // The operator submitted the staged keys elsewhere: the re-run promotes without submitting again.
    const registry = fakeRegistry(recordOf(keys));
    await registry.rotate('FIRM1', {
      encryptionKey: { kid: 'FIRM1-enc-2', jwk: publicJwk(staged.pending?.encryption.jwk ?? {}) },
      signingKey: { kid: 'FIRM1-sig-2', jwk: publicJwk(staged.pending?.signing.jwk ?? {}) },
    }, 'consent');
    const outcome = await rotateStoredKeys(store, 'FIRM1', registry);
    expect(outcome.resumed).to.equal(true);
    expect(registry.submitted).to.equal(1);
    expect(store.load('FIRM1').encryption.kid).to.equal('FIRM1-enc-2');
    expect(store.load('FIRM1').pending).to.equal(undefined);
  });

  it('refuses to rotate when the registry holds keys the store does not', async function () {
    const keys = newInstitutionKeys('FIRM1');
    store.save(keys);
    const other = newInstitutionKeys('FIRM1', 7);
    let error: unknown;
    await rotateStoredKeys(store, 'FIRM1', fakeRegistry(recordOf(other))).catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(KeyStoreMismatchError);
    expect(store.load('FIRM1').pending).to.equal(undefined);
  });

  it('stage only: keys staged, nothing submitted', async function () {
    const keys = newInstitutionKeys('FIRM1');
    store.save(keys);
    const registry = fakeRegistry(recordOf(keys));
    const outcome = await rotateStoredKeys(store, 'FIRM1', registry, { submit: false });
    expect(registry.submitted).to.equal(0);
    expect(outcome.keys.pending?.encryption.kid).to.equal('FIRM1-enc-2');
    expect(store.load('FIRM1').encryption.kid).to.equal('FIRM1-enc-1');
  });
});
