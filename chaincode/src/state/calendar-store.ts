import { Context } from 'fabric-contract-api';
import { DEFAULT_WORK_CALENDAR, WorkCalendar } from '@econfirm/common';
import { readJson, writeJson } from './ledger';

function calendarKey(ctx: Context): string {
  return ctx.stub.createCompositeKey('config', ['work-calendar']);
}

/** The admin-set calendar, or weekends off and 10 working days each when none was set. */
export async function getWorkCalendar(ctx: Context): Promise<WorkCalendar> {
  return (await readJson<WorkCalendar>(ctx, calendarKey(ctx))) ?? DEFAULT_WORK_CALENDAR;
}

export function saveWorkCalendar(ctx: Context, calendar: WorkCalendar): Promise<void> {
  return writeJson(ctx, calendarKey(ctx), calendar);
}
