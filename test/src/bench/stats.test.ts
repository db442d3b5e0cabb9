import { expect } from 'chai';
import { percentile, runLoad } from './stats';

describe('benchmark statistics', () => {
  it('takes nearest-rank percentiles of an unsorted sample', () => {
    const sample = [50, 10, 40, 20, 30, 100, 90, 80, 70, 60];
    expect(percentile(sample, 50)).to.equal(50);
    expect(percentile(sample, 99)).to.equal(100);
    expect(percentile(sample, 10)).to.equal(10);
    expect(Number.isNaN(percentile([], 50))).to.be.true;
  });

  it('runs exactly the requested operations, never more in flight than asked, and counts failures', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    const result = await runLoad(3, 10, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      seen.push(i);
      if (i % 5 === 0) throw new Error(`boom ${i % 2}`);
    });
    expect(seen.sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).to.equal(3);
    expect(result.failures).to.equal(2);
    expect(result.failureMessages.sort()).to.deep.equal(['boom 0', 'boom 1']);
    expect(result.operations).to.equal(10);
  });
});
