import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronProblem, lastRunAtOrBefore, nextRunAfter } from './cron.js';

const NOW = Date.UTC(2026, 0, 1, 0, 0, 30); // 08:00:30 at UTC+8

const problems: { expr: string; problem: RegExp | null }[] = [
  { expr: '0 8 * * *', problem: null },
  { expr: '0 */6 * * *', problem: null },
  { expr: '0 * * * *', problem: null },
  { expr: '*/5 * * * *', problem: null },
  { expr: '@daily', problem: null },
  { expr: 'every day', problem: /not a cron expression/ },
  { expr: '61 * * * *', problem: /not a cron expression.*minute/ },
  { expr: '0 8 * * * *', problem: /not a cron expression/ },
  { expr: '* * * * *', problem: /more often than every 5 minutes/ },
  { expr: '0,1 8 * * *', problem: /more often than every 5 minutes/ },
  { expr: '0 0 30 2 *', problem: /never runs/ },
];
for (const c of problems) {
  test(`cron "${c.expr}": ${c.problem ? 'refused' : 'accepted'}`, () => {
    const p = cronProblem(c.expr, NOW, 8);
    if (c.problem) assert.match(p ?? '', c.problem);
    else assert.equal(p, null);
  });
}

test('runs are read in the reporting time zone, and a run exactly at `at` counts as due', () => {
  assert.equal(lastRunAtOrBefore('0 8 * * *', NOW, 8), Date.UTC(2026, 0, 1, 0, 0, 0), '08:00 at UTC+8 is 00:00 UTC');
  assert.equal(lastRunAtOrBefore('0 8 * * *', Date.UTC(2026, 0, 1, 0, 0, 0), 8), Date.UTC(2026, 0, 1, 0, 0, 0));
  assert.equal(lastRunAtOrBefore('0 8 * * *', NOW, 0), Date.UTC(2025, 11, 31, 8, 0, 0));
  assert.equal(nextRunAfter('0 8 * * *', NOW, 8), Date.UTC(2026, 0, 2, 0, 0, 0));
  assert.equal(nextRunAfter('0 */6 * * *', NOW, 8), Date.UTC(2026, 0, 1, 4, 0, 0), '12:00 local');
  assert.equal(nextRunAfter('30 2 * * *', NOW, 5.5), Date.UTC(2026, 0, 1, 21, 0, 0), 'quarter-hour offsets too');
});
