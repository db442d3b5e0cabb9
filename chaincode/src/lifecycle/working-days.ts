import { WorkCalendar } from '@econfirm/common';

const DAY_MS = 86_400_000;
/** A deadline further than ten years of holidays away is a configuration error, not a loop. */
const MAX_SCAN_DAYS = 3660;

function localDayNumber(millis: number, calendar: WorkCalendar): number {
  return Math.floor((millis + calendar.utcOffsetMinutes * 60_000) / DAY_MS);
}

function isoDate(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

export function isWorkingDay(dayNumber: number, calendar: WorkCalendar): boolean {
  const date = isoDate(dayNumber);
  if (calendar.extraWorkdays.includes(date)) return true;
  if (calendar.holidays.includes(date)) return false;
  const weekday = (dayNumber + 4) % 7; // day 0, 1970-01-01, was a Thursday
  return !calendar.weekendDays.includes(weekday);
}

/**
 * The end (23:59:59.999 local time) of the `days`-th working day after the local day of
 * `startMillis`, as an ISO instant. Counting starts the next day, as "reply within 10 working days".
 */
export function addWorkingDays(startMillis: number, days: number, calendar: WorkCalendar): string {
  let day = localDayNumber(startMillis, calendar);
  for (let counted = 0, scanned = 0; counted < days; scanned++) {
    if (scanned > MAX_SCAN_DAYS) throw new Error('the work calendar has no working days');
    day++;
    if (isWorkingDay(day, calendar)) counted++;
  }
  return new Date((day + 1) * DAY_MS - calendar.utcOffsetMinutes * 60_000 - 1).toISOString();
}
