import { expect } from 'chai';
import { newBankSigningKey, sampleEvidence } from '../testing/sample-evidence';
import { boundedLayoutCache, LAYOUT_CACHE_GLYPHS, layoutCacheStats } from './fonts';
import { renderEvidencePdf } from './render';

/** A shaped word of `glyphs` glyphs, as pdfkit stores it (fontkit's glyph run). */
function run(glyphs: number): { glyphs: unknown[]; positions: unknown[] } {
  return { glyphs: Array.from({ length: glyphs }, () => ({})), positions: Array.from({ length: glyphs }, () => ({ xAdvance: 1 })) };
}

describe('the shared cache of shaped words (pdf/fonts.ts)', function () {
  this.timeout(60_000);

  it('is bounded by the glyphs it holds, not by its number of words: words that never recur cannot fill memory', function () {
    const { cache, stats } = boundedLayoutCache(1_000);
    // 10,000 unique 50-glyph words (request ids, account numbers, hashes): 500,000 glyphs offered.
    for (let i = 0; i < 10_000; i++) cache[`CF-2026-${String(i).padStart(40, '0')}`] = run(50);
    expect(stats().glyphs).to.be.at.most(1_000);
    expect(stats().words).to.equal(20);
    // The most recent are kept, the oldest evicted; a recurring word that is used stays.
    expect(cache[`CF-2026-${String(9_999).padStart(40, '0')}`]).to.deep.equal(run(50));
    expect(cache[`CF-2026-${String(0).padStart(40, '0')}`]).to.equal(undefined);
  });

  it('does not keep a word larger than the whole bound, and keeps what it holds by key', function () {
    const { cache, stats } = boundedLayoutCache(100);
    cache.huge = run(101);
    expect(cache.huge).to.equal(undefined);
    cache.date = run(10);
    expect(cache.date).to.deep.equal(run(10));
    expect(stats()).to.deep.equal({ words: 1, glyphs: 10 });
  });

  it('is the cache the renderer uses: a letter rendered again shapes no new word, and the cache stays within its bound', async function () {
    const doc = await sampleEvidence({ bank: newBankSigningKey(), baseTime: Date.now() });
    const placeholder = { name: 'FIRM1', reason: 'test', location: 'econfirm', contactInfo: 'Firm1MSP', signingTime: new Date(doc.generatedAt) };
    await renderEvidencePdf(doc, [], placeholder);
    const first = layoutCacheStats();
    expect(first.words).to.be.greaterThan(10);
    await renderEvidencePdf(doc, [], placeholder);
    expect(layoutCacheStats()).to.deep.equal(first);
    expect(first.glyphs).to.be.at.most(LAYOUT_CACHE_GLYPHS);
  });
});
