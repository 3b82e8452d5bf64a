// Number, money and time formatting used on every page: one set of rules, so the same value reads the same
// everywhere. Times are shown in the relay's reporting time zone (not the browser's).
import { prefs } from '../stores/prefs';
import { session } from '../stores/session';

const intl = () => (prefs.locale === 'zh-CN' ? 'zh-CN' : 'en-US');

/** 1234567 → "1,234,567". */
export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : Math.round(n).toLocaleString(intl());
}

/** Tokens, compact: 1234567 → "1.23M" (en) / "123.5万" (zh). */
export function fmtTokens(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (Math.abs(n) < 10_000) return fmtInt(n);
  return new Intl.NumberFormat(intl(), { notation: 'compact', maximumFractionDigits: 2 }).format(n);
}

/** USD with decimals by size: $0.0042, $12.34, $1,234.50. */
export function fmtUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—';
  const abs = Math.abs(usd);
  const digits = abs === 0 ? 2 : abs < 1 ? 4 : 2;
  return '$' + usd.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtMicros(micros: number | null | undefined): string {
  return micros === null || micros === undefined ? '—' : fmtUsd(micros / 1e6);
}

export function fmtPct(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant in the reporting time zone: "2026-11-26 14:05" (seconds optional). */
export function fmtTime(iso: string | number | null | undefined, withSeconds = false): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(t)) return '—';
  const d = new Date(t + session.tzOffset * 3_600_000);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return withSeconds ? `${base}:${pad(d.getUTCSeconds())}` : base;
}

/** A bucket start as its label for charts: hour → "11-26 14:00", day → "11-26", month → "2026-11". */
export function fmtBucket(iso: string, granularity: string): string {
  const d = new Date(Date.parse(iso) + session.tzOffset * 3_600_000);
  if (granularity === 'hour') return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:00`;
  if (granularity === 'day') return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}

/** "in 2 h" / "3 min ago" in the current language. */
export function fmtRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const diff = Date.parse(iso) - now;
  const rtf = new Intl.RelativeTimeFormat(intl(), { numeric: 'auto' });
  const abs = Math.abs(diff);
  if (abs < 60_000) return rtf.format(Math.round(diff / 1000), 'second');
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < 86_400_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  return rtf.format(Math.round(diff / 86_400_000), 'day');
}

/** Midnight today in the reporting time zone, as epoch ms. */
export function startOfTodayTz(now = Date.now()): number {
  const off = session.tzOffset * 3_600_000;
  return Math.floor((now + off) / 86_400_000) * 86_400_000 - off;
}

/**
 * Date pickers show the browser's wall clock; every time here is in the relay's zone. `toPicker` shifts an instant
 * so the picker shows the relay's wall clock, `fromPicker` shifts a picked value back to the instant.
 */
export function toPicker(ms: number | null): number | null {
  if (ms === null) return null;
  return ms + session.tzOffset * 3_600_000 + new Date(ms).getTimezoneOffset() * 60_000;
}

export function fromPicker(v: number | null): number | null {
  if (v === null) return null;
  return v - session.tzOffset * 3_600_000 - new Date(v).getTimezoneOffset() * 60_000;
}
