import { ConfirmationState, type ConfirmationView, type Institution } from '@econfirm/common';
import { newInstitutionKeys, publicJwk, seal, sealReply, type InstitutionPrivateKeys } from '@econfirm/sdk';
import { expect } from 'chai';
import type { JsonWebKey } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { GatewayError } from '../errors/gateway-error';
import type { LedgerCall } from '../fabric/ledger-call';
import type { RegistryReader } from '../institutions/registry-reader.service';
import type { TenantsService } from '../tenants/tenants.service';
import type { ResultPresenters } from '../transactions/result-presenters';
import { Executed } from '../transactions/executed';
import type { TransactionExecutor } from '../transactions/transaction-executor.service';
import { ConfirmationContentService } from './confirmation-content.service';
import { ConfirmationsService } from './confirmations.service';

const keys: Record<string, InstitutionPrivateKeys> = { FIRM1: newInstitutionKeys('FIRM1'), BANK1: newInstitutionKeys('BANK1'), CLIENT1: newInstitutionKeys('CLIENT1') };
const tenantOf: Record<string, string> = { firm1: 'FIRM1', bank1: 'BANK1', client1: 'CLIENT1' };

function institution(id: string): Institution {
  const k = keys[id] as InstitutionPrivateKeys;
  const record = (kid: string, jwk: JsonWebKey, use: 'enc' | 'sig') => ({ kid, use, alg: use === 'enc' ? 'ECDH-ES+A256KW' : 'ES256', jwk: publicJwk(jwk), activatedAt: '2026-01-01T00:00:00Z' });
  return {
    docType: 'institution', id, kind: 'bank', mspId: 'X', nameZh: id, nameEn: id, registrationId: id, status: 'active',
    encryptionKey: record(k.encryption.kid, k.encryption.jwk, 'enc'), signingKey: record(k.signing.kid, k.signing.jwk, 'sig'),
    retiredKeys: [], registeredAt: '', updatedAt: '',
  } as Institution;
}

const tenants = { institutionKeys: (tenantId: string) => keys[tenantOf[tenantId] ?? ''] } as unknown as TenantsService;
const registry = { get: (_p: Principal, id: string) => Promise.resolve(institution(id)) } as unknown as RegistryReader;

function principal(tenantId: string, role: Principal['role']): Principal {
  return { tenantId, institutionId: tenantOf[tenantId] ?? tenantId.toUpperCase(), orgKey: tenantId, identityName: 'x', mspId: 'X', role, credentialId: 'c', custody: 'custodial' };
}

describe('confirmation content at the edge', function () {
  const content = new ConfirmationContentService(tenants, registry);

  it('decrypts only content addressed to the caller tenant\'s key, and verifies the reply signature against the registry', async function () {
    const letter = await seal({ formId: 'bank-letter-2020', secret: '6222' }, [institution('FIRM1'), institution('BANK1')].map((i) => ({ kid: i.encryptionKey.kid, jwk: i.encryptionKey.jwk })));
    const bank = keys.BANK1 as InstitutionPrivateKeys;
    const reply = await sealReply('CF-1', 'agrees', { ok: true }, [institution('FIRM1'), institution('BANK1')].map((i) => ({ kid: i.encryptionKey.kid, jwk: i.encryptionKey.jwk })), { kid: bank.signing.kid, jwk: bank.signing.jwk });
    const view = {
      id: 'CF-1', responderId: 'BANK1', state: ConfirmationState.Replied, letter,
      reply: { conclusion: 'agrees', ciphertext: reply.ciphertext, contentHash: reply.contentHash, signatureHash: reply.signatureHash, signingKid: reply.signingKid, preparedBy: 'o', preparedAt: '' },
    } as unknown as ConfirmationView;
    const firm = await content.present(principal('firm1', 'auditor'), view);
    expect(firm.letter).to.include({ readable: 'decrypted' });
    expect(firm.letter.content).to.deep.equal({ formId: 'bank-letter-2020', secret: '6222' });
    expect(firm.reply).to.include({ readable: 'decrypted', signatureValid: true });
    const client = await content.present(principal('client1', 'client-signer'), view);
    expect(client.letter).to.deep.equal({ ciphertext: letter.ciphertext, contentHash: letter.contentHash, readable: 'not-addressed' });
    const stranger = await content.present(principal('nobody', 'auditor'), view);
    expect(stranger.letter.readable).to.equal('no-key');
    // A reply whose recorded signature hash is not this JWS's is not valid evidence.
    const tampered = await content.present(principal('firm1', 'auditor'), { ...view, reply: { ...view.reply, signatureHash: '0'.repeat(64) } } as ConfirmationView);
    expect(tampered.reply?.signatureValid).to.equal(false);
  });
});

describe('confirmation lists', function () {
  const calls: LedgerCall[] = [];
  /** Ledger pages by bookmark: '' → an empty page (nothing visible yet) → 'p2' → one record. */
  const pages: Record<string, { records: unknown[]; bookmark: string; fetchedRecordsCount: number }> = {
    '': { records: [], bookmark: 'p2', fetchedRecordsCount: 200 },
    p2: { records: [{ id: 'CF-9' }], bookmark: '', fetchedRecordsCount: 3 },
  };
  const executor = {
    evaluate: (_p: Principal, call: LedgerCall) => {
      calls.push(call);
      return Promise.resolve(new Executed(200, pages[call.args[call.args.length - 1] ?? ''] ?? pages.p2));
    },
  } as unknown as TransactionExecutor;
  const service = new ConfirmationsService(executor, {} as ResultPresenters, {} as ConfirmationContentService, registry, tenants);

  async function listed(p: Principal, query: Record<string, unknown>): Promise<LedgerCall> {
    calls.length = 0;
    await service.list(p, query);
    return calls[0] as LedgerCall;
  }

  it('defaults to the caller\'s own institution for its role', async function () {
    expect(await listed(principal('firm1', 'auditor'), {})).to.deep.equal({ contract: 'confirmation', transaction: 'ListConfirmationsByFirm', args: ['FIRM1', '50', ''] });
    expect((await listed(principal('bank1', 'bank-officer'), { pageSize: 10, bookmark: 'b' })).args).to.deep.equal(['BANK1', '10', 'b']);
    expect((await listed(principal('client1', 'client-signer'), {})).transaction).to.equal('ListConfirmationsByClient');
    expect((await listed(principal('firm1', 'auditor'), { overdue: 'true' })).transaction).to.equal('ListOverdueConfirmations');
  });

  it('folds in the next ledger page when a page shows nothing the caller may see yet', async function () {
    calls.length = 0;
    const res = await service.list(principal('bank1', 'bank-officer'), {});
    expect(calls.map((c) => c.args[2])).to.deep.equal(['', 'p2']);
    expect(res.body).to.deep.equal({ records: [{ id: 'CF-9' }], bookmark: '', fetchedRecordsCount: 203 });
  });

  it('refuses a selector naming another institution, and two selectors at once', async function () {
    calls.length = 0;
    for (const [p, q] of [
      [principal('bank1', 'bank-officer'), { firmId: 'FIRM1' }],
      [principal('firm1', 'auditor'), { firmId: 'FIRM2' }],
      [principal('client1', 'client-signer'), { addresseeId: 'BANK1' }],
    ] as const) {
      const err = await service.list(p, q).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(GatewayError).and.to.include({ code: 'FORBIDDEN', httpStatus: 403 });
    }
    const both = await service.list(principal('firm1', 'auditor'), { state: 'issued', overdue: 'true' }).catch((e: unknown) => e);
    expect(both).to.include({ code: 'VALIDATION_FAILED', httpStatus: 400 });
    expect(calls).to.deep.equal([]);
  });
});

describe('sealed when the right arises: the gateway widens at authorization and acceptance', function () {
  const submitted: LedgerCall[] = [];
  let stored: ConfirmationView;
  const executor = {
    readAsTenant: () => Promise.resolve(Buffer.from(JSON.stringify(stored))),
    submit: (_p: Principal, call: LedgerCall) => {
      submitted.push(call);
      return Promise.resolve(new Executed(200, {}));
    },
  } as unknown as TransactionExecutor;
  const service = new ConfirmationsService(executor, {} as ResultPresenters, {} as ConfirmationContentService, registry, tenants);
  const recipient = (id: string) => ({ kid: institution(id).encryptionKey.kid, jwk: institution(id).encryptionKey.jwk });
  const kidsOf = (ciphertext: string) => (JSON.parse(ciphertext) as { recipients: Array<{ header: { kid: string } }> }).recipients.map((r) => r.header.kid);

  beforeEach(async function () {
    submitted.length = 0;
    const letter = await seal({ formId: 'bank-letter-2020' }, [recipient('FIRM1'), recipient('CLIENT1')]);
    stored = { id: 'CF-1', state: ConfirmationState.Issued, firmId: 'FIRM1', clientId: 'CLIENT1', responderId: 'BANK1', addresseeId: 'BANK1', letter } as unknown as ConfirmationView;
  });

  it('authorization: appends the responder to the stored letter with the client tenant\'s key, nothing else changed', async function () {
    await service.authorize(principal('client1', 'client-signer'), 'CF-1', { feeConsent: true });
    const [call] = submitted;
    expect([call?.transaction, call?.args[0]]).to.deep.equal(['ClientAuthorize', 'CF-1']);
    const input = JSON.parse(call?.args[1] ?? '{}') as { feeConsent: boolean; letterCiphertext: string };
    expect(input.feeConsent).to.equal(true);
    expect(kidsOf(input.letterCiphertext)).to.deep.equal([...kidsOf(stored.letter.ciphertext), keys.BANK1?.encryption.kid]);
    const { recipients: _before, ...shared } = JSON.parse(stored.letter.ciphertext) as Record<string, unknown>;
    const { recipients: _after, ...widenedShared } = JSON.parse(input.letterCiphertext) as Record<string, unknown>;
    expect(widenedShared).to.deep.equal(shared);
  });

  it('a letter to a branch is widened to the bank and the branch', async function () {
    keys['BANK1-SH'] = newInstitutionKeys('BANK1-SH');
    stored = { ...stored, addresseeId: 'BANK1-SH' };
    await service.authorize(principal('client1', 'client-signer'), 'CF-1', { feeConsent: false });
    const input = JSON.parse(submitted[0]?.args[1] ?? '{}') as { letterCiphertext: string };
    expect(kidsOf(input.letterCiphertext).slice(2)).to.deep.equal([keys.BANK1?.encryption.kid, keys['BANK1-SH']?.encryption.kid]);
  });

  it("the participant's own widened ciphertext is passed on as it is, without the gateway's keys", async function () {
    await service.authorize(principal('nokeys', 'client-signer'), 'CF-1', { feeConsent: true, letterCiphertext: '{"own":true}' });
    expect(JSON.parse(submitted[0]?.args[1] ?? '{}')).to.deep.equal({ feeConsent: true, letterCiphertext: '{"own":true}' });
    await service.auditorAccept(principal('nokeys', 'auditor'), 'CF-1', { replyCiphertext: '{"own":true}' });
    expect(submitted[1]?.args).to.deep.equal(['CF-1', '{"replyCiphertext":"{\\"own\\":true}"}']);
  });

  it('refuses to widen without the institution key (409 NO_INSTITUTION_KEYS) or out of turn (409 INVALID_STATE_TRANSITION), submitting nothing', async function () {
    const noKeys = await service.authorize(principal('nokeys', 'client-signer'), 'CF-1', { feeConsent: true }).catch((e: unknown) => e);
    expect(noKeys).to.be.instanceOf(GatewayError);
    expect((noKeys as GatewayError).code).to.equal('NO_INSTITUTION_KEYS');
    expect((noKeys as GatewayError).message).to.contain('letterCiphertext');
    const early = await service.auditorAccept(principal('firm1', 'auditor'), 'CF-1', {}).catch((e: unknown) => e);
    expect((early as GatewayError).code).to.equal('INVALID_STATE_TRANSITION');
    expect((early as GatewayError).message).to.equal('cannot AuditorAccept confirmation CF-1: it is issued');
    expect(submitted).to.deep.equal([]);
  });

  it('acceptance: appends the client to the stored reply with the firm tenant\'s key', async function () {
    const bank = keys.BANK1 as InstitutionPrivateKeys;
    const reply = await sealReply('CF-1', 'agrees', { ok: true }, [recipient('FIRM1'), recipient('BANK1')], { kid: bank.signing.kid, jwk: bank.signing.jwk });
    stored = { ...stored, state: ConfirmationState.Replied, reply: { conclusion: 'agrees', ciphertext: reply.ciphertext, contentHash: reply.contentHash, signatureHash: reply.signatureHash, signingKid: reply.signingKid } } as unknown as ConfirmationView;
    await service.auditorAccept(principal('firm1', 'auditor'), 'CF-1', {});
    const input = JSON.parse(submitted[0]?.args[1] ?? '{}') as { replyCiphertext: string };
    expect(Object.keys(input)).to.deep.equal(['replyCiphertext']);
    expect(kidsOf(input.replyCiphertext)).to.deep.equal([keys.FIRM1?.encryption.kid, keys.BANK1?.encryption.kid, keys.CLIENT1?.encryption.kid]);
  });
});
