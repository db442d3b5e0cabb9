import { expect } from 'chai';
import { evidenceLibrary, loadedEvidenceLibrary } from './evidence-library';

/** The evidence library is loaded on first use (evidence-library.ts): that first use gets all of it. */
describe('the evidence library, loaded on first use', () => {
  it('loads once, for every caller, and is then known as loaded', async () => {
    const [first, second] = await Promise.all([evidenceLibrary(), evidenceLibrary()]);
    expect(first).to.equal(second);
    expect(first.generateEvidence).to.be.a('function');
    expect(first.verifyEvidencePdf).to.be.a('function');
    expect(new first.EvidenceInputError('MALFORMED', 'x')).to.be.instanceOf(Error);
    expect(loadedEvidenceLibrary()).to.equal(first);
    expect(await evidenceLibrary()).to.equal(first);
  });
});
