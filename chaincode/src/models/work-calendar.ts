import { ElapsedDeadlines, ISO_DATE, WorkCalendar } from '@econfirm/common';
import { checkString, FieldReader, invalid } from '../validation/field-reader';

const MAX_DATES = 2000;
/** Elapsed-time deadlines are for drills: up to one week. */
const MAX_ELAPSED_SECONDS = 7 * 86_400;

function dates(input: FieldReader, name: string): string[] {
  const values = input.array(name, 0, MAX_DATES).map((value, i) => checkString(value, `${input.fieldPath(name)}[${i}]`, { pattern: ISO_DATE }));
  return [...new Set(values)].sort();
}

/** Validating factory for SetWorkCalendar. Sorted, de-duplicated lists: the stored bytes are canonical. */
export function newWorkCalendar(input: FieldReader): WorkCalendar {
  input.allowOnly(['weekendDays', 'holidays', 'extraWorkdays', 'utcOffsetMinutes', 'authorizationWorkingDays', 'replyWorkingDays', 'elapsedDeadlines']);
  const weekendDays = input.array('weekendDays', 0, 6).map((day, i) => {
    if (typeof day !== 'number' || !Number.isInteger(day) || day < 0 || day > 6) throw invalid(`weekendDays[${i}]`, 'must be 0 (Sunday) to 6');
    return day;
  });
  const elapsed = input.optionalObject('elapsedDeadlines');
  const calendar: WorkCalendar = {
    weekendDays: [...new Set(weekendDays)].sort((a, b) => a - b),
    holidays: dates(input, 'holidays'),
    extraWorkdays: dates(input, 'extraWorkdays'),
    utcOffsetMinutes: input.integer('utcOffsetMinutes', -720, 840),
    authorizationWorkingDays: input.integer('authorizationWorkingDays', 1, 120),
    replyWorkingDays: input.integer('replyWorkingDays', 1, 120),
  };
  // Absent rather than undefined: the stored calendar's bytes stay canonical.
  if (elapsed) calendar.elapsedDeadlines = newElapsedDeadlines(elapsed);
  return calendar;
}

function newElapsedDeadlines(input: FieldReader): ElapsedDeadlines {
  input.allowOnly(['authorizationSeconds', 'replySeconds']);
  return {
    authorizationSeconds: input.integer('authorizationSeconds', 1, MAX_ELAPSED_SECONDS),
    replySeconds: input.integer('replySeconds', 1, MAX_ELAPSED_SECONDS),
  };
}
