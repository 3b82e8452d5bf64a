// Usage buckets in the reporting time zone (TIMEZONE_OFFSET hours from UTC). Pure functions.
import type { BucketLabels, Granularity } from './usage-event.js';

const HOUR = 3_600_000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function shifted(ts: number, offsetHours: number): Date {
  return new Date(ts + offsetHours * HOUR);
}

let memo: { hourIndex: number; offsetHours: number; labels: BucketLabels } | null = null;

export function bucketLabels(ts: number, offsetHours: number): BucketLabels {
  // Labels change only at local hour boundaries: remember the last hour's (the hot path asks once per request).
  const hourIndex = Math.floor((ts + offsetHours * HOUR) / HOUR);
  if (memo && memo.hourIndex === hourIndex && memo.offsetHours === offsetHours) return memo.labels;
  const labels = computeLabels(ts, offsetHours);
  memo = { hourIndex, offsetHours, labels };
  return labels;
}

function computeLabels(ts: number, offsetHours: number): BucketLabels {
  const d = shifted(ts, offsetHours);
  const month = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
  const day = `${month}-${pad(d.getUTCDate())}`;
  return { month, day, hour: `${day}T${pad(d.getUTCHours())}` };
}

/** One label; through the memo too (key admission asks for the day's twice per request). */
export function bucketLabel(ts: number, granularity: Granularity, offsetHours: number): string {
  return bucketLabels(ts, offsetHours)[granularity];
}

/** Epoch ms at which a bucket starts (inverse of bucketLabel). */
export function bucketStart(label: string, offsetHours: number): number {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2})(?:T(\d{2}))?)?$/.exec(label);
  if (!m) throw new Error(`Not a bucket label: ${label}`);
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, m[3] ? Number(m[3]) : 1, m[4] ? Number(m[4]) : 0);
  return utc - offsetHours * HOUR;
}

/** The label of the bucket after `label`. */
export function nextBucket(label: string, granularity: Granularity, offsetHours: number): string {
  const start = bucketStart(label, offsetHours);
  const d = shifted(start, offsetHours);
  if (granularity === 'hour') d.setUTCHours(d.getUTCHours() + 1);
  else if (granularity === 'day') d.setUTCDate(d.getUTCDate() + 1);
  else d.setUTCMonth(d.getUTCMonth() + 1);
  return bucketLabel(d.getTime() - offsetHours * HOUR, granularity, offsetHours);
}

/** Every bucket label from the one containing `from` to the one containing `to`, inclusive (capped). */
export function bucketRange(granularity: Granularity, from: number, to: number, offsetHours: number, max = 10_000): string[] {
  const out: string[] = [];
  const last = bucketLabel(to, granularity, offsetHours);
  let cur = bucketLabel(from, granularity, offsetHours);
  while (out.length < max) {
    out.push(cur);
    if (cur >= last) break;
    cur = nextBucket(cur, granularity, offsetHours);
  }
  return out;
}

/** Every label from `fromLabel` to `toLabel` inclusive (calendar arithmetic; no time zone involved). */
export function labelsBetween(granularity: Granularity, fromLabel: string, toLabel: string, max = 10_000): string[] {
  const out: string[] = [];
  for (let cur = fromLabel; cur <= toLabel && out.length < max; cur = nextBucket(cur, granularity, 0)) out.push(cur);
  return out;
}
