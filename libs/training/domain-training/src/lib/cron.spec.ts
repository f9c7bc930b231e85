import { cronProblem } from './cron';
import { RetrainingScheduleBody } from './training-runs.dto';

describe('cronProblem', () => {
  it.each(['0 3 * * *', '*/15 * * * *', '0 0 1 JAN,JUL *', '30 2 * * MON-FRI', '0 0-23/2 1-15 * 0,7', '5 4 * * sun'])('accepts %s', (expr) => {
    expect(cronProblem(expr)).toBeUndefined();
  });

  it.each([
    ['000000000', 'expected 5 fields (minute hour day-of-month month day-of-week), got 1'],
    ['0 24 * * *', "hour: '24' is not in 0-23"],
    ['60 * * * *', "minute: '60' is not in 0-59"],
    ['0 0 0 * *', "day-of-month: '0' is not in 1-31"],
    ['0 0 * 13 *', "month: '13' is not in 1-12"],
    ['0 0 * * 8', "day-of-week: '8' is not in 0-7"],
    ['0 0 * * FOO', "day-of-week: 'FOO' is not in 0-7"],
    ['*/0 * * * *', 'minute: step must be at least 1'],
    ['5-1 * * * *', 'minute: range 5-1 is reversed'],
    ['0 0 * * * *', 'expected 5 fields (minute hour day-of-month month day-of-week), got 6'],
    ['a,b * * * *', "minute: 'a' is not in 0-59"],
  ])('refuses %s: %s', (expr, problem) => {
    expect(cronProblem(expr)).toBe(problem);
  });

  it('makes PUT /retraining/{m}/schedule refuse an invalid cron with a 400 issue on `cron`', () => {
    const r = RetrainingScheduleBody.safeParse({ cron: '000000000' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['cron', 'invalid cron expression: expected 5 fields (minute hour day-of-month month day-of-week), got 1']]);
    expect(RetrainingScheduleBody.safeParse({ cron: '0 3 * * *' }).success).toBe(true);
  });
});
