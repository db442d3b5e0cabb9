import { expect } from 'chai';
import { canonicalJson, ErrorCode, Institution, InstitutionKind, Page, HistoryEntry, OPERATOR_MSP, Role } from '@econfirm/common';
import { RegistryContract } from './registry-contract';
import { FakeLedger, TestIdentity } from '../testing/fake-ledger';
import { institutionInput, institutionWithSigningKey, p256PublicJwk, signRegistryConsent, Who } from '../testing/fixtures';
import { expectLedgerError } from '../testing/expect-ledger-error';
import { requireInstitutionCaller } from '../auth/caller';

describe('RegistryContract', () => {
  let ledger: FakeLedger;
  let bank: ReturnType<typeof institutionWithSigningKey>;
  const contract = new RegistryContract();
  const register = (input: unknown, who: TestIdentity = Who.admin) =>
    contract.RegisterInstitution(ledger.as(who), JSON.stringify(input));
  const get = async (id: string) => JSON.parse(await contract.GetInstitution(ledger.as(Who.auditor1), id)) as Institution;

  beforeEach(async () => {
    ledger = new FakeLedger();
    bank = institutionWithSigningKey('BANK1', InstitutionKind.Bank, 'Bank1MSP');
    await register(bank.input);
  });

  describe('RegisterInstitution', () => {
    it('stores an active institution with its keys and the tx time, and emits ids only', async () => {
      const bank = await get('BANK1');
      expect(bank).to.include({ id: 'BANK1', kind: 'bank', mspId: 'Bank1MSP', status: 'active', registeredAt: '2026-03-02T09:00:00.000Z' });
      expect(bank.encryptionKey).to.include({ kid: 'BANK1-enc-1', use: 'enc', alg: 'ECDH-ES+A256KW' });
      expect(bank.signingKey).to.include({ kid: 'BANK1-sig-1', use: 'sig', alg: 'ES256' });
      expect(ledger.lastEvent()).to.deep.equal({ name: 'InstitutionRegistered', payload: { id: 'BANK1' } });
    });

    it('writes canonical JSON (sorted keys, no whitespace)', async () => {
      const raw = Buffer.from(ledger.state.get(ledger.as(Who.admin).stub.createCompositeKey('inst', ['BANK1']))!).toString();
      expect(raw).to.equal(canonicalJson(JSON.parse(raw)));
    });

    it('registers a branch under its bank', async () => {
      await register(institutionInput('BANK1-SH', InstitutionKind.BankBranch, 'Bank1MSP', { parentId: 'BANK1' }));
      expect(await get('BANK1-SH')).to.include({ parentId: 'BANK1', kind: 'bank-branch' });
    });

    it('accepts a JWK exported with kid, use and alg, and stores only the public point', async () => {
      const input = institutionInput('FIRM1', InstitutionKind.AuditFirm, 'Firm1MSP');
      input.encryptionKey.jwk = { ...input.encryptionKey.jwk, kid: 'FIRM1-enc-1', use: 'enc', alg: 'ECDH-ES+A256KW' } as typeof input.encryptionKey.jwk;
      await register(input);
      expect(Object.keys((await get('FIRM1')).encryptionKey.jwk).sort()).to.deep.equal(['crv', 'kty', 'x', 'y']);
    });

    it('refuses a caller who is not the operator admin, writing nothing', async () => {
      const before = ledger.snapshot();
      for (const who of [Who.bankAdmin, Who.auditor1, Who.client1, { mspId: OPERATOR_MSP }]) {
        await expectLedgerError(register(institutionInput('FIRM1', InstitutionKind.AuditFirm, 'Firm1MSP'), who), ErrorCode.Forbidden);
      }
      expect(ledger.snapshot()).to.equal(before);
    });

    it('refuses a duplicate id', async () => {
      await expectLedgerError(register(institutionInput('BANK1', InstitutionKind.Bank, 'Bank1MSP')), ErrorCode.AlreadyExists, 'BANK1');
    });

    const invalidCases: [string, (input: Record<string, unknown>) => unknown, string][] = [
      ['not JSON', () => '{', 'institution'],
      ['an array', () => [], 'institution'],
      ['a missing id', ({ id: _id, ...rest }) => rest, 'id'],
      ['an id with a separator', (input) => ({ ...input, id: 'A\u0000B' }), 'id'],
      ['an unknown kind', (input) => ({ ...input, kind: 'casino' }), 'kind'],
      ['an empty name', (input) => ({ ...input, nameZh: '  ' }), 'nameZh'],
      ['a control character in a name', (input) => ({ ...input, nameEn: 'a\nb' }), 'nameEn'],
      ['a bad registration id', (input) => ({ ...input, registrationId: '!' }), 'registrationId'],
      ['an unknown field', (input) => ({ ...input, adress: 'x' }), 'adress'],
      ['a parent on a non-branch', (input) => ({ ...input, parentId: 'BANK1' }), 'parentId'],
      ['a private key', (input) => ({ ...input, signingKey: { kid: 's', jwk: { ...p256PublicJwk(), d: 'A'.repeat(43) } } }), 'signingKey.jwk.d'],
      ['an RSA key', (input) => ({ ...input, signingKey: { kid: 's', jwk: { ...p256PublicJwk(), kty: 'RSA' } } }), 'signingKey.jwk.kty'],
      ['a point off the curve', (input) => ({ ...input, encryptionKey: { kid: 'e', jwk: { ...p256PublicJwk(), y: 'A'.repeat(43) } } }), 'encryptionKey.jwk'],
      ['a short coordinate', (input) => ({ ...input, encryptionKey: { kid: 'e', jwk: { ...p256PublicJwk(), x: 'AAAA' } } }), 'encryptionKey.jwk.x'],
      ['a jwk use that contradicts', (input) => ({ ...input, encryptionKey: { kid: 'e', jwk: { ...p256PublicJwk(), use: 'sig' } } }), 'encryptionKey.jwk.use'],
      ['the same kid for both keys', (input) => ({ ...input, signingKey: { kid: 'FIRM1-enc-1', jwk: p256PublicJwk() } }), 'signingKey.kid'],
    ];
    for (const [name, mutate, field] of invalidCases) {
      it(`refuses ${name} naming the field`, async () => {
        const before = ledger.snapshot();
        const input = mutate(institutionInput('FIRM1', InstitutionKind.AuditFirm, 'Firm1MSP') as unknown as Record<string, unknown>);
        const json = typeof input === 'string' ? input : JSON.stringify(input);
        const text = await expectLedgerError(contract.RegisterInstitution(ledger.as(Who.admin), json), ErrorCode.InvalidArgument, field);
        expect(text.startsWith(field), text).to.equal(true);
        expect(ledger.snapshot()).to.equal(before);
      });
    }

    it('refuses a branch without a parent, with an unknown parent, a non-bank parent or another MSP', async () => {
      await register(institutionInput('FIRM1', InstitutionKind.AuditFirm, 'Firm1MSP'));
      await expectLedgerError(register(institutionInput('BR', InstitutionKind.BankBranch, 'Bank1MSP')), ErrorCode.InvalidArgument, 'parentId');
      await expectLedgerError(register(institutionInput('BR', InstitutionKind.BankBranch, 'Bank1MSP', { parentId: 'NOPE' })), ErrorCode.InvalidArgument, 'parentId');
      await expectLedgerError(register(institutionInput('BR', InstitutionKind.BankBranch, 'Firm1MSP', { parentId: 'FIRM1' })), ErrorCode.InvalidArgument, 'parentId');
      await expectLedgerError(register(institutionInput('BR', InstitutionKind.BankBranch, 'Bank2MSP', { parentId: 'BANK1' })), ErrorCode.InvalidArgument, 'mspId');
    });
  });

  describe('the operator alone cannot take over an institution (fails on c85a0dd)', () => {
    it('refuses a bank, a branch, an audit firm or a regulator registered under OperatorMSP, and writes nothing', async () => {
      const before = ledger.snapshot();
      for (const [id, kind, extra] of [
        ['BANK9', InstitutionKind.Bank, {}],
        ['BANK1-OP', InstitutionKind.BankBranch, { parentId: 'BANK1' }],
        ['FIRM9', InstitutionKind.AuditFirm, {}],
        ['REG9', InstitutionKind.Regulator, {}],
      ] as const) {
        await expectLedgerError(register(institutionInput(id, kind, OPERATOR_MSP, extra)), ErrorCode.InvalidArgument, 'mspId');
      }
      expect(ledger.snapshot()).to.equal(before);
    });

    it('refuses to move an institution with its own MSP to OperatorMSP, and without its consent to another member, writing nothing', async () => {
      await register(institutionInput('FIRM1', InstitutionKind.AuditFirm, 'Firm1MSP'));
      await register(institutionInput('CLIENT2', InstitutionKind.Client, 'Client2MSP'));
      const before = ledger.snapshot();
      await expectLedgerError(contract.UpdateInstitution(ledger.as(Who.admin), JSON.stringify({ id: 'FIRM1', mspId: OPERATOR_MSP }), ''), ErrorCode.InvalidArgument, 'mspId');
      for (const [id, mspId] of [['FIRM1', 'Bank1MSP'], ['CLIENT2', OPERATOR_MSP], ['CLIENT2', 'Firm1MSP']]) {
        await expectLedgerError(contract.UpdateInstitution(ledger.as(Who.admin), JSON.stringify({ id, mspId }), ''), ErrorCode.ConsentRequired, 'consent');
      }
      expect(ledger.snapshot()).to.equal(before);
      expect((await get('FIRM1')).mspId).to.equal('Firm1MSP');
    });

    it("so an operator certificate naming FIRM1 is not FIRM1's auditor", async () => {
      await register(institutionInput('FIRM1', InstitutionKind.AuditFirm, 'Firm1MSP'));
      await expectLedgerError(contract.UpdateInstitution(ledger.as(Who.admin), JSON.stringify({ id: 'FIRM1', mspId: OPERATOR_MSP }), ''), ErrorCode.InvalidArgument);
      await expectLedgerError(requireInstitutionCaller(ledger.as({ mspId: OPERATOR_MSP, role: Role.Auditor, institution: 'FIRM1' }), [Role.Auditor]), ErrorCode.Forbidden);
    });
  });

  describe("a change of an institution's keys or hosting needs its own consent besides the operator's (fails before 10.7 consent)", () => {
    let firm: ReturnType<typeof institutionWithSigningKey>;
    const newKeys = { encryptionKey: { kid: 'FIRM1-enc-2', jwk: p256PublicJwk() }, signingKey: { kid: 'FIRM1-sig-2', jwk: p256PublicJwk() } };
    const rotate = (consent: string, keys: unknown = newKeys, who: TestIdentity = Who.admin) => contract.RotateInstitutionKeys(ledger.as(who), 'FIRM1', JSON.stringify(keys), consent);
    const consentFor = async (action: 'RotateInstitutionKeys' | 'UpdateInstitution', change: unknown, signing = firm.signing, header: Record<string, unknown> = {}) =>
      signRegistryConsent(signing, { action, institutionId: 'FIRM1', basis: (await get('FIRM1')).updatedAt, change }, header);

    beforeEach(async () => {
      firm = institutionWithSigningKey('FIRM1', InstitutionKind.AuditFirm, 'Firm1MSP');
      await register(firm.input);
    });

    it("the operator alone cannot rotate an institution's keys: CONSENT_REQUIRED, nothing written", async () => {
      const before = ledger.snapshot();
      await expectLedgerError(rotate(''), ErrorCode.ConsentRequired, 'FIRM1-sig-1');
      expect(ledger.snapshot()).to.equal(before);
    });

    it('rotates with a consent JWS by the current signing key over exactly this rotation', async () => {
      ledger.setNow('2026-04-01T00:00:00Z');
      await rotate(await consentFor('RotateInstitutionKeys', newKeys));
      const after = await get('FIRM1');
      expect([after.encryptionKey.kid, after.signingKey.kid]).to.deep.equal(['FIRM1-enc-2', 'FIRM1-sig-2']);
      expect(ledger.lastEvent()).to.deep.equal({ name: 'InstitutionUpdated', payload: { id: 'FIRM1', change: 'keys' } });
    });

    const refusals: [string, () => Promise<string>, string][] = [
      ['signed by another key under the current kid', () => consentFor('RotateInstitutionKeys', newKeys, institutionWithSigningKey('FIRM1', InstitutionKind.AuditFirm, 'Firm1MSP').signing), 'does not verify'],
      ['naming a retired or foreign kid', () => consentFor('RotateInstitutionKeys', newKeys, { ...firm.signing, kid: 'BANK1-sig-1' }), 'current signing key'],
      ['for other keys', () => consentFor('RotateInstitutionKeys', { signingKey: newKeys.signingKey }), 'exactly this'],
      ['for another action', () => consentFor('UpdateInstitution', newKeys), 'exactly this'],
      ['for an older version of the record', async () => signRegistryConsent(firm.signing, { action: 'RotateInstitutionKeys', institutionId: 'FIRM1', basis: '2026-01-01T00:00:00.000Z', change: newKeys }), 'exactly this'],
      ['with another alg or typ', () => consentFor('RotateInstitutionKeys', newKeys, firm.signing, { typ: 'JWT' }), 'typ'],
      ['that is no JWS', async () => 'not.a-jws', 'compact JWS'],
      ['with a signature cut short', async () => (await consentFor('RotateInstitutionKeys', newKeys)).slice(0, -3), 'needs its consent'],
      ['whose signature is over other bytes', async () => {
        const [h, p] = (await consentFor('RotateInstitutionKeys', newKeys)).split('.');
        const other = (await consentFor('RotateInstitutionKeys', { signingKey: newKeys.signingKey })).split('.')[2];
        return `${h}.${p}.${other}`;
      }, 'does not verify'],
    ];
    for (const [name, consent, text] of refusals) {
      it(`refuses a consent ${name}, writing nothing`, async () => {
        const jws = await consent();
        const before = ledger.snapshot();
        await expectLedgerError(rotate(jws), ErrorCode.ConsentRequired, text);
        expect(ledger.snapshot()).to.equal(before);
      });
    }

    it('a consent is good once: after the rotation it cannot be replayed', async () => {
      const jws = await consentFor('RotateInstitutionKeys', newKeys);
      await rotate(jws);
      const again = { signingKey: { kid: 'FIRM1-sig-3', jwk: p256PublicJwk() } };
      await expectLedgerError(rotate(jws, again), ErrorCode.ConsentRequired);
    });

    it('the consent does not replace the operator: the institution alone cannot submit it', async () => {
      await expectLedgerError(rotate(await consentFor('RotateInstitutionKeys', newKeys), newKeys, { mspId: 'Firm1MSP', role: Role.Admin }), ErrorCode.Forbidden);
    });

    it('moves a firm to another MSP with its consent over exactly that update, never with a consent for another MSP', async () => {
      const update = { id: 'FIRM1', mspId: 'Firm2MSP' };
      const forOther = await consentFor('UpdateInstitution', { id: 'FIRM1', mspId: 'Firm3MSP' });
      await expectLedgerError(contract.UpdateInstitution(ledger.as(Who.admin), JSON.stringify(update), forOther), ErrorCode.ConsentRequired, 'exactly this');
      const consent = await consentFor('UpdateInstitution', update);
      await contract.UpdateInstitution(ledger.as(Who.admin), JSON.stringify(update), consent);
      expect((await get('FIRM1')).mspId).to.equal('Firm2MSP');
    });

    it('names and registration id stay the operator\'s alone', async () => {
      await contract.UpdateInstitution(ledger.as(Who.admin), JSON.stringify({ id: 'FIRM1', nameEn: 'Firm One LLP' }), '');
      expect((await get('FIRM1')).nameEn).to.equal('Firm One LLP');
    });

    describe('an institution that lost its signing key: the regulator approves exactly one rotation', () => {
      beforeEach(() => register(institutionInput('REGULATOR', InstitutionKind.Regulator, 'RegulatorMSP')));

      it('the operator rotates with the approval, which is used up; other keys or a later record version are refused', async () => {
        await contract.ApproveKeyRecovery(ledger.as(Who.regulator1), 'FIRM1', JSON.stringify(newKeys));
        expect(ledger.lastEvent()).to.deep.equal({ name: 'KeyRecoveryApproved', payload: { id: 'FIRM1' } });
        await expectLedgerError(rotate('', { signingKey: newKeys.signingKey }), ErrorCode.ConsentRequired);
        await rotate('');
        expect((await get('FIRM1')).signingKey.kid).to.equal('FIRM1-sig-2');
        await expectLedgerError(rotate('', { signingKey: { kid: 'FIRM1-sig-3', jwk: p256PublicJwk() } }), ErrorCode.ConsentRequired);
      });

      it('an approval for an older version of the record is void', async () => {
        await contract.ApproveKeyRecovery(ledger.as(Who.regulator1), 'FIRM1', JSON.stringify(newKeys));
        ledger.setNow('2026-03-05T00:00:00Z');
        await contract.SetInstitutionStatus(ledger.as(Who.admin), 'FIRM1', 'suspended', 'r');
        await expectLedgerError(rotate(''), ErrorCode.ConsentRequired);
      });

      it('only a regulator approves, and never for an invalid rotation', async () => {
        for (const who of [Who.admin, Who.auditor1, Who.officer1, { mspId: OPERATOR_MSP, role: Role.Regulator, institution: 'REGULATOR' }]) {
          await expectLedgerError(contract.ApproveKeyRecovery(ledger.as(who), 'FIRM1', JSON.stringify(newKeys)), ErrorCode.Forbidden);
        }
        await expectLedgerError(contract.ApproveKeyRecovery(ledger.as(Who.regulator1), 'FIRM1', JSON.stringify({ signingKey: { kid: 'FIRM1-sig-1', jwk: p256PublicJwk() } })), ErrorCode.InvalidArgument, 'signingKey.kid');
      });
    });
  });

  describe('UpdateInstitution', () => {
    it('changes names and registration id, keeps the rest, emits InstitutionUpdated', async () => {
      ledger.setNow('2026-03-03T10:00:00Z');
      await contract.UpdateInstitution(ledger.as(Who.admin), JSON.stringify({ id: 'BANK1', nameEn: 'Bank One', registrationId: 'B0001H111000001' }), '');
      const bank = await get('BANK1');
      expect(bank).to.include({ nameEn: 'Bank One', registrationId: 'B0001H111000001', nameZh: 'BANK1 名称', updatedAt: '2026-03-03T10:00:00.000Z', registeredAt: '2026-03-02T09:00:00.000Z' });
      expect(ledger.lastEvent()).to.deep.equal({ name: 'InstitutionUpdated', payload: { id: 'BANK1', change: 'profile' } });
    });

    it('moves a client to another MSP with its consent and re-indexes it', async () => {
      const client = institutionWithSigningKey('CLIENT1', InstitutionKind.Client, OPERATOR_MSP);
      await register(client.input);
      const update = { id: 'CLIENT1', mspId: 'Client1MSP' };
      const consent = signRegistryConsent(client.signing, { action: 'UpdateInstitution', institutionId: 'CLIENT1', basis: (await get('CLIENT1')).updatedAt, change: update });
      await contract.UpdateInstitution(ledger.as(Who.admin), JSON.stringify(update), consent);
      const keys = [...ledger.state.keys()].filter((key) => key.includes('inst~msp~id'));
      expect(keys.some((key) => key.includes('Client1MSP'))).to.equal(true);
      expect(keys.some((key) => key.includes(OPERATOR_MSP))).to.equal(false);
    });

    it('refuses non-admins, unknown ids, kind changes and a bank changing MSP', async () => {
      await expectLedgerError(contract.UpdateInstitution(ledger.as(Who.officer1), JSON.stringify({ id: 'BANK1', nameEn: 'x' }), ''), ErrorCode.Forbidden);
      await expectLedgerError(contract.UpdateInstitution(ledger.as(Who.admin), JSON.stringify({ id: 'NOPE', nameEn: 'x' }), ''), ErrorCode.NotFound);
      await expectLedgerError(contract.UpdateInstitution(ledger.as(Who.admin), JSON.stringify({ id: 'BANK1', kind: 'client' }), ''), ErrorCode.InvalidArgument, 'kind');
      await expectLedgerError(contract.UpdateInstitution(ledger.as(Who.admin), JSON.stringify({ id: 'BANK1', mspId: 'Bank9MSP' }), ''), ErrorCode.InvalidArgument, 'mspId');
    });
  });

  describe('SetInstitutionStatus', () => {
    it('suspends and reactivates with a reason', async () => {
      await contract.SetInstitutionStatus(ledger.as(Who.admin), 'BANK1', 'suspended', 'licence under review');
      expect(await get('BANK1')).to.include({ status: 'suspended', statusReason: 'licence under review' });
      expect(ledger.lastEvent()).to.deep.equal({ name: 'InstitutionUpdated', payload: { id: 'BANK1', change: 'status', status: 'suspended' } });
      await contract.SetInstitutionStatus(ledger.as(Who.admin), 'BANK1', 'active', 'review closed');
      expect((await get('BANK1')).status).to.equal('active');
    });

    it('refuses non-admins, unknown status, missing reason, unknown id and a no-op', async () => {
      await expectLedgerError(contract.SetInstitutionStatus(ledger.as(Who.regulator1), 'BANK1', 'suspended', 'r'), ErrorCode.Forbidden);
      await expectLedgerError(contract.SetInstitutionStatus(ledger.as(Who.admin), 'BANK1', 'closed', 'r'), ErrorCode.InvalidArgument, 'status');
      await expectLedgerError(contract.SetInstitutionStatus(ledger.as(Who.admin), 'BANK1', 'suspended', ''), ErrorCode.InvalidArgument, 'reason');
      await expectLedgerError(contract.SetInstitutionStatus(ledger.as(Who.admin), 'NOPE', 'suspended', 'r'), ErrorCode.NotFound);
      await expectLedgerError(contract.SetInstitutionStatus(ledger.as(Who.admin), 'BANK1', 'active', 'r'), ErrorCode.InvalidStateTransition);
    });
  });

  describe('RotateInstitutionKeys', () => {
    /** RotateInstitutionKeys(BANK1) with BANK1's consent over `keys`. */
    const rotateBank = async (keys: unknown, who: TestIdentity = Who.admin) => {
      const consent = signRegistryConsent(bank.signing, { action: 'RotateInstitutionKeys', institutionId: 'BANK1', basis: (await get('BANK1')).updatedAt, change: keys });
      return contract.RotateInstitutionKeys(ledger.as(who), 'BANK1', JSON.stringify(keys), consent);
    };

    it('replaces a key and keeps the old one, retired, in history', async () => {
      const before = await get('BANK1');
      ledger.setNow('2026-04-01T00:00:00Z');
      await rotateBank({ signingKey: { kid: 'BANK1-sig-2', jwk: p256PublicJwk() } });
      const after = await get('BANK1');
      expect(after.signingKey.kid).to.equal('BANK1-sig-2');
      expect(after.encryptionKey).to.deep.equal(before.encryptionKey);
      expect(after.retiredKeys).to.deep.equal([{ ...before.signingKey, retiredAt: '2026-04-01T00:00:00.000Z' }]);
      expect(ledger.lastEvent()).to.deep.equal({ name: 'InstitutionUpdated', payload: { id: 'BANK1', change: 'keys' } });
    });

    it('rotates both keys at once', async () => {
      await rotateBank({
        encryptionKey: { kid: 'e2', jwk: p256PublicJwk() },
        signingKey: { kid: 's2', jwk: p256PublicJwk() },
      });
      expect((await get('BANK1')).retiredKeys.map((key) => key.kid)).to.deep.equal(['BANK1-enc-1', 'BANK1-sig-1']);
    });

    it('refuses non-admins, an empty rotation, a reused kid and a bad key', async () => {
      const rotate = rotateBank;
      await expectLedgerError(rotate({ signingKey: { kid: 'n', jwk: p256PublicJwk() } }, Who.officer1), ErrorCode.Forbidden);
      await expectLedgerError(rotate({}), ErrorCode.InvalidArgument, 'encryptionKey');
      await expectLedgerError(rotate({ signingKey: { kid: 'BANK1-enc-1', jwk: p256PublicJwk() } }), ErrorCode.InvalidArgument, 'signingKey.kid');
      await expectLedgerError(rotate({ signingKey: { kid: 'n', jwk: { kty: 'EC' } } }), ErrorCode.InvalidArgument, 'signingKey.jwk');
    });
  });

  describe('reads', () => {
    beforeEach(async () => {
      await register(institutionInput('BANK2', InstitutionKind.Bank, 'Bank2MSP'));
      await register(institutionInput('FIRM1', InstitutionKind.AuditFirm, 'Firm1MSP'));
      await register(institutionInput('CLIENT1', InstitutionKind.Client, OPERATOR_MSP));
    });

    it('GetInstitution is open to every member; unknown ids are NOT_FOUND', async () => {
      for (const who of [Who.client1, Who.officer1, Who.regulator1, { mspId: 'Firm9MSP' }]) {
        expect(JSON.parse(await contract.GetInstitution(ledger.as(who), 'FIRM1')).id).to.equal('FIRM1');
      }
      await expectLedgerError(contract.GetInstitution(ledger.as(Who.admin), 'NOPE'), ErrorCode.NotFound);
    });

    it('ListInstitutions filters by kind and pages with a bookmark', async () => {
      const banks = JSON.parse(await contract.ListInstitutions(ledger.as(Who.auditor1), 'bank', '10', '')) as Page<Institution>;
      expect(banks.records.map((i) => i.id)).to.deep.equal(['BANK1', 'BANK2']);
      const first = JSON.parse(await contract.ListInstitutions(ledger.as(Who.auditor1), '', '3', '')) as Page<Institution>;
      expect(first.records).to.have.length(3);
      const second = JSON.parse(await contract.ListInstitutions(ledger.as(Who.auditor1), '', '3', first.bookmark)) as Page<Institution>;
      expect(second.records).to.have.length(1);
      expect(second.bookmark).to.equal('');
      expect([...first.records, ...second.records].map((i) => i.id).sort()).to.deep.equal(['BANK1', 'BANK2', 'CLIENT1', 'FIRM1']);
    });

    it('ListInstitutions answers an empty page when nothing of the kind is registered', async () => {
      const none = JSON.parse(await contract.ListInstitutions(ledger.as(Who.auditor1), 'mortgage-registry', '10', '')) as Page<Institution>;
      expect(none).to.deep.equal({ records: [], bookmark: '', fetchedRecordsCount: 0 });
    });

    it('ListInstitutions refuses an unknown kind and a bad page size', async () => {
      await expectLedgerError(contract.ListInstitutions(ledger.as(Who.auditor1), 'casino', '10', ''), ErrorCode.InvalidArgument, 'kind');
      for (const size of ['0', '201', 'ten', '-1', '1.5']) {
        await expectLedgerError(contract.ListInstitutions(ledger.as(Who.auditor1), '', size, ''), ErrorCode.InvalidArgument, 'pageSize');
      }
    });

    it('GetInstitutionHistory returns every version, newest first', async () => {
      await contract.SetInstitutionStatus(ledger.as(Who.admin), 'FIRM1', 'suspended', 'r');
      const history = JSON.parse(await contract.GetInstitutionHistory(ledger.as(Who.regulator1), 'FIRM1')) as HistoryEntry<Institution>[];
      expect(history.map((entry) => entry.value?.status)).to.deep.equal(['suspended', 'active']);
      expect(history[0]).to.include({ isDelete: false, timestamp: '2026-03-02T09:00:00.000Z' });
      await expectLedgerError(contract.GetInstitutionHistory(ledger.as(Who.admin), 'NOPE'), ErrorCode.NotFound);
    });
  });
});
