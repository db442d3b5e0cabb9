import type { Encumbrance, Institution, UnitEncumbrancesView } from '@econfirm/common';
import { expect } from 'chai';
import { open, seal, type Recipient } from './content-crypto';
import { newInstitutionKeys, publicJwk, type InstitutionPrivateKeys } from './institution-keys';
import { pendingDisclosures } from './mortgage-content';

const registry = newInstitutionKeys('MREG1');
const lender = newInstitutionKeys('BANK1');
const bank2 = newInstitutionKeys('BANK2');
const bank3 = newInstitutionKeys('BANK3');
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
