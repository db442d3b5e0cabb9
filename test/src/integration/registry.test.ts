import { expect } from 'chai';
import type { InstitutionProfile } from '@econfirm/common';
import { LedgerCallError, RegistryClient, newInstitutionKeys, publicJwk, readBlock, registrationInput, signRegistryConsent, type LedgerSession } from '@econfirm/sdk';
import { ensureDemoInstitutions, registerFresh } from '../support/institutions';
import { descriptor, networkScript, uniqueName, withLedger } from '../support/network';

/** A fresh enterprise profile: unique per run, so the suite can run again on a reused network. */
function freshEnterprise(): InstitutionProfile {
  const id = uniqueName('ENT').toUpperCase();
  return { id, kind: 'enterprise', mspId: 'OperatorMSP', nameZh: `测试企业${id}`, nameEn: `Test Enterprise ${id}`, registrationId: '91310000MA1TEST01' };
}

async function registrationRefusal(ledger: LedgerSession, profile: InstitutionProfile): Promise<LedgerCallError> {
  try {
    await new RegistryClient(ledger).register(registrationInput(profile, newInstitutionKeys(profile.id)));
  } catch (err) {
    if (err instanceof LedgerCallError) return err;
    throw err;
  }
  throw new Error(`registration of ${profile.id} was accepted`);
}

/** Asserts, through the operator's peer, that nothing was written for this id. */
async function expectNotRegistered(id: string): Promise<void> {
  await withLedger('regulator', 'regulator1', async (ledger) => {
    const refusal = await new RegistryClient(ledger).get(id).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refusal).to.be.instanceOf(LedgerCallError);
    expect((refusal as LedgerCallError).code).to.equal('NOT_FOUND');
  });
}

describe('institution registry on the real Fabric network', function () {
  this.timeout(120_000);

  it('commits a registration, reads it back on another org\'s peer, and finds the transaction in its block', async () => {
    const profile = freshEnterprise();
    const { institution, commit } = await withLedger('operator', 'admin', (ledger) =>
      new RegistryClient(ledger).register(registrationInput(profile, newInstitutionKeys(profile.id))),
    );
    expect(institution.id).to.equal(profile.id);
    expect(institution.status).to.equal('active');
    expect(commit.blockNumber > 0n).to.be.true;

    await withLedger('regulator', 'regulator1', async (ledger) => {
      const read = await new RegistryClient(ledger).get(profile.id);
      expect(read).to.deep.equal(institution);

      const block = await readBlock(ledger.network, commit.blockNumber);
      expect(block.number).to.equal(commit.blockNumber);
      const tx = block.transactions.find((t) => t.transactionId === commit.transactionId);
      expect(tx, `transaction ${commit.transactionId} in block ${block.number}`).to.not.be.undefined;
      expect(tx?.validation).to.equal('VALID');
      const previous = await readBlock(ledger.network, commit.blockNumber - 1n);
      expect(previous.number).to.equal(commit.blockNumber - 1n);
    });
  });

  it("refuses the operator's admin a takeover: no bank under OperatorMSP, FIRM1 not rehosted under OperatorMSP (fails on c85a0dd)", async () => {
    await ensureDemoInstitutions('FIRM1');
    const bank = { ...freshEnterprise(), kind: 'bank' as const };
    const refused = await withLedger('operator', 'admin', (ledger) => registrationRefusal(ledger, bank));
    expect(refused.code).to.equal('INVALID_ARGUMENT');
    expect(refused.message).to.match(/mspId: a bank has an MSP of its own/);
    await expectNotRegistered(bank.id);

    const rehost = await withLedger('operator', 'admin', (ledger) => new RegistryClient(ledger).update({ id: 'FIRM1', mspId: 'OperatorMSP' }).then(() => undefined, (err: unknown) => err));
    expect(rehost).to.be.instanceOf(LedgerCallError);
    expect((rehost as LedgerCallError).code).to.equal('INVALID_ARGUMENT');
    expect((rehost as LedgerCallError).message).to.match(/mspId: a audit-firm has an MSP of its own/);
    const firm = await withLedger('regulator', 'regulator1', (ledger) => new RegistryClient(ledger).get('FIRM1'));
    expect(firm.mspId).to.equal('Firm1MSP');
  });

  it("the operator alone can neither rotate a firm's keys nor rehost it (CONSENT_REQUIRED, nothing committed); with the firm's consent both commit (fails before 10.7 consent)", async () => {
    // A fresh audit firm under an MSP of its own that no identity here uses (so FIRM1's auditors keep resolving to FIRM1).
    const id = uniqueName('FIRMC').toUpperCase();
    const profile: InstitutionProfile = { id, kind: 'audit-firm', mspId: `${id}MSP`, nameZh: `测试事务所${id}`, nameEn: `Test Firm ${id}`, registrationId: '91310000MA1TEST02' };
    const firm = await withLedger('operator', 'admin', (ledger) => registerFresh(ledger, profile));
    const fresh = newInstitutionKeys(id, 2);
    const rotation = { encryptionKey: { kid: fresh.encryption.kid, jwk: publicJwk(fresh.encryption.jwk) }, signingKey: { kid: fresh.signing.kid, jwk: publicJwk(fresh.signing.jwk) } };
    const rehost = { id, mspId: `${id}NEWMSP` };
    const refusal = (call: Promise<unknown>) => call.then(() => { throw new Error('accepted'); }, (err: unknown) => err as LedgerCallError);
    await withLedger('operator', 'admin', async (ledger) => {
      const registry = new RegistryClient(ledger);
      for (const refused of [await refusal(registry.rotateKeys(id, rotation, '')), await refusal(registry.update(rehost))]) {
        expect(refused).to.be.instanceOf(LedgerCallError);
        expect(refused.code).to.equal('CONSENT_REQUIRED');
        expect(refused.contractRefusal).to.equal(true);
      }
      // A consent for another change does not serve either.
      const forOther = await signRegistryConsent({ action: 'UpdateInstitution', institutionId: id, basis: firm.record.updatedAt, change: { id, mspId: 'OperatorMSP' } }, firm.keys.signing);
      expect((await refusal(registry.update(rehost, forOther))).code).to.equal('CONSENT_REQUIRED');
    });
    const unchanged = await withLedger('regulator', 'regulator1', (ledger) => new RegistryClient(ledger).get(id));
    expect(unchanged).to.deep.equal(firm.record);

    await withLedger('operator', 'admin', async (ledger) => {
      const registry = new RegistryClient(ledger);
      const consent = await signRegistryConsent({ action: 'RotateInstitutionKeys', institutionId: id, basis: firm.record.updatedAt, change: rotation }, firm.keys.signing);
      const rotated = await registry.rotateKeys(id, rotation, consent);
      expect(rotated.signingKey.kid).to.equal(fresh.signing.kid);
      // Now only the new signing key consents.
      const moved = await registry.update(rehost, await signRegistryConsent({ action: 'UpdateInstitution', institutionId: id, basis: rotated.updatedAt, change: rehost }, fresh.signing));
      expect(moved.mspId).to.equal(rehost.mspId);
    });
  });

  it('an institution that lost its signing key: a regulator approves exactly one rotation, then the operator submits it', async () => {
    await ensureDemoInstitutions('REGULATOR');
    const id = uniqueName('ENTR').toUpperCase();
    await withLedger('operator', 'admin', (ledger) => registerFresh(ledger, { ...freshEnterprise(), id }));
    const fresh = newInstitutionKeys(id, 2);
    const rotation = { encryptionKey: { kid: fresh.encryption.kid, jwk: publicJwk(fresh.encryption.jwk) }, signingKey: { kid: fresh.signing.kid, jwk: publicJwk(fresh.signing.jwk) } };
    const alone = await withLedger('operator', 'admin', (ledger) => new RegistryClient(ledger).rotateKeys(id, rotation, '').then(() => undefined, (err: unknown) => err));
    expect((alone as LedgerCallError).code).to.equal('CONSENT_REQUIRED');
    await withLedger('regulator', 'regulator1', (ledger) => new RegistryClient(ledger).approveKeyRecovery(id, rotation));
    const rotated = await withLedger('operator', 'admin', (ledger) => new RegistryClient(ledger).rotateKeys(id, rotation, ''));
    expect(rotated.encryptionKey.kid).to.equal(fresh.encryption.kid);
  });

  it('refuses a registry write by an admin of a member other than the operator, and writes nothing', async () => {
    const profile = freshEnterprise();
    const refusal = await withLedger('bank1', 'admin', (ledger) => registrationRefusal(ledger, profile));
    expect(refusal.code).to.equal('FORBIDDEN');
    expect(refusal.contractRefusal).to.be.true;
    await expectNotRegistered(profile.id);
  });

  it('refuses a registry write by an operator identity without the admin role', async () => {
    const profile = freshEnterprise();
    const refusal = await withLedger('operator', 'client1', (ledger) => registrationRefusal(ledger, profile));
    expect(refusal.code).to.equal('FORBIDDEN');
    await expectNotRegistered(profile.id);
  });

  it('refuses invalid input with the field named, and writes nothing', async () => {
    const profile = freshEnterprise();
    const refusal = await withLedger('operator', 'admin', async (ledger) => {
      const input = registrationInput(profile, newInstitutionKeys(profile.id));
      const withPrivateKey = { ...input, signingKey: { ...input.signingKey, jwk: { ...input.signingKey.jwk, d: 'c2VjcmV0' } } };
      try {
        await ledger.contract('registry').submit('RegisterInstitution', { arguments: [JSON.stringify(withPrivateKey)] });
      } catch (err) {
        return err;
      }
      return undefined;
    });
    expect(refusal, 'a private key in a registration must be refused').to.not.be.undefined;
    expect(String((refusal as Error).message) + JSON.stringify((refusal as { details?: unknown }).details)).to.match(/INVALID_ARGUMENT: signingKey\.jwk/);
    await expectNotRegistered(profile.id);
  });

  it('stops accepting an identity once it is revoked', async () => {
    const name = uniqueName('admin');
    networkScript('identity.sh', 'issue', 'operator', name, 'admin');
    const before = freshEnterprise();
    await withLedger('operator', name, (ledger) => new RegistryClient(ledger).register(registrationInput(before, newInstitutionKeys(before.id))));

    networkScript('identity.sh', 'revoke', 'operator', name);
    const after = freshEnterprise();
    const refusal = await withLedger('operator', name, (ledger) => registrationRefusal(ledger, after));
    expect(refusal.contractRefusal, 'refused by the peer, before any contract code runs').to.be.false;
    expect(refusal.message).to.match(/access denied|creator|revoked|certificate/i);
    const readRefusal = await withLedger('operator', name, (ledger) => new RegistryClient(ledger).get(before.id).then(() => undefined, (err: unknown) => err));
    expect(readRefusal, 'a revoked identity cannot read either').to.be.instanceOf(LedgerCallError);
    await expectNotRegistered(after.id);
  });

  it('upgrades the chaincode to the next sequence without losing the ledger', async () => {
    const profile = freshEnterprise();
    await withLedger('operator', 'admin', (ledger) => new RegistryClient(ledger).register(registrationInput(profile, newInstitutionKeys(profile.id))));
    const sequenceBefore = descriptor().chaincode.sequence;

    networkScript('deploy.sh', '--force');

    expect(descriptor().chaincode.sequence).to.equal(sequenceBefore + 1);
    const read = await withLedger('firm1', 'auditor1', async (ledger) => {
      const registry = new RegistryClient(ledger);
      // The new chaincode server may take a moment to take over: poll briefly, then read.
      for (let attempt = 0; ; attempt++) {
        try {
          return await registry.get(profile.id);
        } catch (err) {
          if (attempt >= 20) throw err;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    });
    expect(read.id).to.equal(profile.id);
  });
});
