// Cron expressions of scheduled account tests (croner, standard five fields or a nickname such as @daily), read in
// the relay's reporting time zone (TIMEZONE_OFFSET), so "0 8 * * *" means 08:00 where the operators are. Pure.
import { Cron } from 'croner';

/** Tests cost tokens and a concurrency slot: no schedule may fire more often than this. */
export const MIN_INTERVAL_MS = 5 * 60_000;
/** How many upcoming runs the interval check looks at. */
const LOOKAHEAD = 24;

function parse(expr: string, tzOffsetHours: number): Cron {
  return new Cron(expr, { paused: true, mode: '5-part', utcOffset: Math.round(tzOffsetHours * 60) });
}

/** Why an expression is refused (in words for the admin API), or null when it is a usable schedule. */
export function cronProblem(expr: string, now: number, tzOffsetHours: number): string | null {
  let c: Cron;
  try {
    c = parse(expr, tzOffsetHours);
  } catch (e) {
    return `not a cron expression (${(e as Error).message.replace(/^CronPattern:\s*/, '')}); use five fields: minute hour day-of-month month day-of-week, e.g. "0 8 * * *"`;
  }
  const runs = c.nextRuns(LOOKAHEAD, new Date(now)).map((d) => d.getTime());
  if (runs.length === 0) return 'never runs (no date matches it)';
  for (let i = 1; i < runs.length; i++) {
    if (runs[i] - runs[i - 1] < MIN_INTERVAL_MS) return `runs more often than every ${MIN_INTERVAL_MS / 60_000} minutes`;
  }
  return null;
}

/** The first run strictly after `after` (epoch ms), or null. The expression must be valid. */
export function nextRunAfter(expr: string, after: number, tzOffsetHours: number): number | null {
  return parse(expr, tzOffsetHours).nextRun(new Date(after))?.getTime() ?? null;
}

/** The latest run at or before `at` (epoch ms), or null. The expression must be valid. */
export function lastRunAtOrBefore(expr: string, at: number, tzOffsetHours: number): number | null {
  // previousRuns excludes its reference itself; one ms later includes a run exactly at `at`.
  return (
    parse(expr, tzOffsetHours)
      .previousRuns(1, new Date(at + 1))[0]
      ?.getTime() ?? null
  );
}
