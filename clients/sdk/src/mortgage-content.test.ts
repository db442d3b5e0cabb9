import type { Encumbrance, Institution, UnitEncumbrancesView } from '@econfirm/common';
import { expect } from 'chai';
import { open, seal, type Recipient } from './content-crypto';
import { newInstitutionKeys, publicJwk, type InstitutionPrivateKeys } from './institution-keys';
import { MortgageContentError, mortgageChange, mortgageTransfer, pendingDisclosures, type MortgageApplicationContent } from './mortgage-content';

const registry = newInstitutionKeys('MREG1');
const lender = newInstitutionKeys('BANK1');
const bank2 = newInstitutionKeys('BANK2');
const bank3 = newInstitutionKeys('BANK3');
const owner = newInstitutionKeys('CLIENT1');
const buyer = newInstitutionKeys('ENT1');
const recipient = (k: InstitutionPrivateKeys): Recipient => ({ kid: k.encryption.kid, jwk: publicJwk(k.encryption.jwk) });
const institution = (k: InstitutionPrivateKeys): Institution => ({ id: k.institutionId, encryptionKey: recipient(k) }) as unknown as Institution;

describe('pendingDisclosures', function () {
  it("widens each active application a consented bank cannot open yet to that bank's key, and nothing else", async function () {
    const first = await seal({ securedPrincipal: '100.00' }, [recipient(lender), recipient(registry)]);
    const second = await seal({ securedPrincipal: '200.00' }, [recipient(lender), recipient(registry)]);
    const encumbrance = (mortgageId: string, application: Encumbrance['application']): Encumbrance =>
      ({ mortgageId, priority: 1, mortgageType: 'ordinary', mortgageeId: 'BANK1', registeredAt: '', debtTermStart: '', debtTermEnd: '', state: 'registered', application }) as Encumbrance;
    const view: UnitEncumbrancesView = {
      unitKey: 'u',
      encumbrances: [encumbrance('MTG-1', first), encumbrance('MTG-2', second)],
      consents: [
        { bankId: 'BANK2', validUntil: '2026-12-31', disclosed: ['MTG-1'] },
        { bankId: 'BANK3', validUntil: '2026-12-31', disclosed: ['MTG-1', 'MTG-2'] },
      ],
    };
    const asked: string[] = [];
    const out = await pendingDisclosures(view, registry, async (id) => {
      asked.push(id);
      return institution(bank2);
    });
    expect(asked).to.deep.equal(['BANK2']);
    expect(out.map(({ bankId, mortgageId }) => ({ bankId, mortgageId }))).to.deep.equal([{ bankId: 'BANK2', mortgageId: 'MTG-2' }]);
    const widened = { ciphertext: out[0]?.ciphertext ?? '', contentHash: second.contentHash };
    expect((await open<{ securedPrincipal: string }>(widened, bank2.encryption.kid, bank2.encryption.jwk)).content).to.deep.equal({ securedPrincipal: '200.00' });
    // A key the application is not sealed to widens nothing.
    expect(await pendingDisclosures(view, bank3, async () => institution(bank2))).to.deep.equal([]);
    expect(await pendingDisclosures({ unitKey: 'u', encumbrances: view.encumbrances }, registry, async () => institution(bank2))).to.deep.equal([]);
  });
});

describe('mortgageChange and mortgageTransfer: the registrar re-seals the opened application', function () {
  const keys = new Map([registry, lender, owner, buyer].map((k) => [k.institutionId, k]));
  const directory = { get: async (id: string) => institution(keys.get(id) as InstitutionPrivateKeys) };
  const record = { mortgageeId: 'BANK1', registryId: 'MREG1', mortgagorIds: ['CLIENT1'], mortgageType: 'ordinary' as const, debtTermStart: '2026-03-01', debtTermEnd: '2046-02-28' };
  const filed: MortgageApplicationContent = { unitNumber: 'U-1', location: 'L', mortgagors: [{ name: '张三', institutionId: 'CLIENT1' }], currency: 'CNY', securedPrincipal: '3500000.00' };
  const opened = async (sealed: { ciphertext: string; contentHash: string }, k: InstitutionPrivateKeys) => (await open<MortgageApplicationContent>(sealed, k.encryption.kid, k.encryption.jwk)).content;

  it('changes the amount the type secures and the term, sealed to the same parties', async function () {
    const change = await mortgageChange(directory, record, filed, { securedPrincipal: '3000000.00', debtTermEnd: '2040-12-31' });
    expect(change.debtTermEnd).to.equal('2040-12-31');
    for (const k of [registry, lender, owner]) expect(await opened(change.application, k)).to.deep.equal({ ...filed, securedPrincipal: '3000000.00' });
    // Not sealed to anyone else.
    let refused = false;
    await opened(change.application, buyer).catch(() => (refused = true));
    expect(refused).to.equal(true);
  });

  const refusals: Array<[string, Parameters<typeof mortgageChange>[3], string]> = [
    ['the amount the type does not secure', { maximumAmount: '1.00' }, 'maximumAmount'],
    ['a term that ends before it starts', { debtTermEnd: '2026-03-01' }, 'debtTermEnd'],
    ['a change that changes nothing', { securedPrincipal: '3500000.00', debtTermEnd: '2046-02-28' }, 'change'],
  ];
  for (const [what, change, path] of refusals) {
    it(`refuses ${what} (MortgageContentError at ${path})`, async function () {
      const err = await mortgageChange(directory, record, filed, change).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(MortgageContentError);
      expect((err as MortgageContentError).path).to.equal(path);
    });
  }

  it('transfers to the new owners: their registered institutions become the mortgagors, the seller cannot open it', async function () {
    const transfer = await mortgageTransfer(directory, record, filed, [{ name: '某某有限公司', idNumber: '91110000X', institutionId: 'ENT1' }, { name: '李四' }]);
    expect(transfer.mortgagorIds).to.deep.equal(['ENT1']);
    const content = await opened(transfer.application, buyer);
    expect(content.mortgagors).to.deep.equal([{ name: '某某有限公司', idNumber: '91110000X', institutionId: 'ENT1' }, { name: '李四' }]);
    expect(content.securedPrincipal).to.equal('3500000.00');
    let refused = false;
    await opened(transfer.application, owner).catch(() => (refused = true));
    expect(refused).to.equal(true);
    const none = await mortgageTransfer(directory, record, filed, []).then(() => undefined, (e: unknown) => e);
    expect(none).to.be.instanceOf(MortgageContentError);
  });
});
