/**
 * Validation of the 5-field cron expressions of retraining schedules (`PUT
 * /retraining/{modelName}/schedule` body `cron`), the subset Temporal's schedule specs accept:
 * `minute hour day-of-month month day-of-week`, UTC, each field a comma list of `*`, `N`, `N-M`,
 * optionally `/STEP`; months may be JAN-DEC and weekdays SUN-SAT (0 and 7 are Sunday).
 * Checked before Temporal is called, so a bad expression is a 400 naming the field instead of
 * a failed schedule creation.
 */
const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
] as const;

const ELEMENT = /^(\*|[0-9A-Za-z]{1,3}(?:-[0-9A-Za-z]{1,3})?)(?:\/([0-9]{1,2}))?$/;

function valueOf(text: string, field: (typeof FIELDS)[number]): number | undefined {
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const names: readonly string[] | undefined = 'names' in field ? field.names : undefined;
  const i = names?.indexOf(text.toUpperCase()) ?? -1;
  if (i < 0) return undefined;
  return field.name === 'month' ? i + 1 : i;
}

/**
 * Why `expr` is not a valid 5-field cron expression (e.g. `hour: 24 is not in 0-23`), or
 * undefined when it is.
 */
export function cronProblem(expr: string): string | undefined {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== FIELDS.length) return `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`;
  for (const [f, field] of FIELDS.entries()) {
    for (const element of (parts[f] ?? '').split(',')) {
      const m = ELEMENT.exec(element);
      if (!m) return `${field.name}: '${element}' is not *, N, N-M or one of those with /STEP`;
      const range = m[1] ?? '';
      const step = m[2];
      if (step !== undefined && Number(step) < 1) return `${field.name}: step must be at least 1`;
      if (range === '*') continue;
      const bounds: number[] = [];
      for (const bound of range.split('-')) {
        const v = valueOf(bound, field);
        if (v === undefined || v < field.min || v > field.max) return `${field.name}: '${bound}' is not in ${field.min}-${field.max}`;
        bounds.push(v);
      }
      const [lo = 0, hi = lo] = bounds;
      if (lo > hi) return `${field.name}: range ${range} is reversed`;
    }
  }
  return undefined;
}
