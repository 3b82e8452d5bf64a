// Subscription usage windows, pure: from the `anthropic-ratelimit-unified-*` headers every response of an OAuth
// account carries (PROTOCOLS 1.8.3; utilization 0–1, resets in epoch seconds) and from the `/api/oauth/usage`
// endpoint (PROTOCOLS 3.2; utilization 0–100, ISO resets).
import type { AccountObservation, UsageWindow } from '../types.js';

type Headers = Record<string, string | string[] | undefined>;

const PREFIX = 'anthropic-ratelimit-unified';
const WINDOW_IDS: UsageWindow['id'][] = ['5h', '7d', '7d_opus', '7d_sonnet'];
const CLAIMS: Record<string, UsageWindow['id']> = {
  five_hour: '5h',
  seven_day: '7d',
  seven_day_opus: '7d_opus',
  seven_day_sonnet: '7d_sonnet',
};

const one = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined ? undefined : s.trim();
};

/** `allowed` | `allowed_warning` | `rejected` → the relay's three states; unknown values count as allowed. */
export function windowStatus(v: string | undefined): UsageWindow['status'] {
  if (v === 'rejected') return 'rejected';
  if (v === 'allowed_warning' || v === 'warning') return 'warning';
  return 'allowed';
}

const epochSeconds = (v: string | undefined): number | null => {
  const n = Number(v);
  return v && Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : null;
};

const fraction = (v: string | undefined): number => {
  const n = Number(v);
  return v && Number.isFinite(n) && n > 0 ? n : 0;
};

/** The windows and overall verdict in a response's headers; null when the response has none (API-key accounts). */
export function parseUnifiedHeaders(h: Headers): AccountObservation | null {
  const windows: UsageWindow[] = [];
  for (const id of WINDOW_IDS) {
    const status = one(h, `${PREFIX}-${id}-status`);
    const utilization = one(h, `${PREFIX}-${id}-utilization`);
    const reset = one(h, `${PREFIX}-${id}-reset`);
    if (status === undefined && utilization === undefined && reset === undefined) continue;
    windows.push({ id, utilization: fraction(utilization), resetsAt: epochSeconds(reset), status: windowStatus(status) });
  }
  const overall = one(h, `${PREFIX}-status`);
  const claim = one(h, `${PREFIX}-representative-claim`);
  const reset = one(h, `${PREFIX}-reset`);
  if (windows.length === 0 && overall === undefined && claim === undefined && reset === undefined) return null;
  return {
    windows,
    status: overall === undefined ? null : windowStatus(overall),
    representativeClaim: claim === undefined ? null : (CLAIMS[claim] ?? claim),
    resetsAt: epochSeconds(reset),
  };
}

const USAGE_KEYS: Record<string, UsageWindow['id']> = {
  five_hour: '5h',
  seven_day: '7d',
  seven_day_opus: '7d_opus',
  seven_day_sonnet: '7d_sonnet',
};

/**
 * Windows from the usage endpoint's JSON. The endpoint gives no status; it is derived from utilization
 * (≥ 100 % rejected, ≥ 90 % warning — the threshold the headers' `surpassed-threshold` reports).
 */
export function parseUsageResponse(body: unknown): UsageWindow[] {
  if (!body || typeof body !== 'object') return [];
  const out: UsageWindow[] = [];
  for (const [key, id] of Object.entries(USAGE_KEYS)) {
    const w = (body as Record<string, unknown>)[key] as { utilization?: unknown; resets_at?: unknown } | null | undefined;
    if (!w || typeof w !== 'object' || typeof w.utilization !== 'number' || !Number.isFinite(w.utilization)) continue;
    const utilization = Math.max(0, w.utilization) / 100;
    const reset = typeof w.resets_at === 'string' ? Date.parse(w.resets_at) : NaN;
    out.push({
      id,
      utilization,
      resetsAt: Number.isFinite(reset) ? reset : null,
      status: utilization >= 1 ? 'rejected' : utilization >= 0.9 ? 'warning' : 'allowed',
    });
  }
  return out;
}
