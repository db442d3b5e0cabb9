import { expect } from 'chai';
import { DEFAULT_WORK_CALENDAR, WorkCalendar } from '@econfirm/common';
import { addWorkingDays } from './working-days';

describe('addWorkingDays', () => {
  const at = (iso: string) => Date.parse(iso);

  it('skips weekends and ends at local midnight (UTC+8)', () => {
    // Monday 2026-03-02 17:00 Beijing; 10 working days later is Monday 2026-03-16, end of day.
    expect(addWorkingDays(at('2026-03-02T09:00:00Z'), 10, DEFAULT_WORK_CALENDAR)).to.equal('2026-03-16T15:59:59.999Z');
  });

  it('counts from the local date, not the UTC date', () => {
    // Friday 2026-03-06 23:30 UTC is Saturday 07:30 in Beijing: one working day later is Monday.
    expect(addWorkingDays(at('2026-03-06T23:30:00Z'), 1, DEFAULT_WORK_CALENDAR)).to.equal('2026-03-09T15:59:59.999Z');
  });

  it('skips holidays and counts adjusted working weekends', () => {
    const calendar: WorkCalendar = { ...DEFAULT_WORK_CALENDAR, holidays: ['2026-10-01', '2026-10-02', '2026-10-05'], extraWorkdays: ['2026-10-10'] };
    // Wednesday 2026-09-30: Thu/Fri holidays, weekend, Mon holiday, Tue 6th is the first working day.
    expect(addWorkingDays(at('2026-09-30T02:00:00Z'), 1, calendar)).to.equal('2026-10-06T15:59:59.999Z');
    // Friday 9th + 1 working day = Saturday 10th (adjusted working day).
    expect(addWorkingDays(at('2026-10-09T02:00:00Z'), 1, calendar)).to.equal('2026-10-10T15:59:59.999Z');
  });

  it('refuses a calendar without working days', () => {
    expect(() => addWorkingDays(0, 1, { ...DEFAULT_WORK_CALENDAR, weekendDays: [0, 1, 2, 3, 4, 5, 6] })).to.throw('no working days');
  });
});
