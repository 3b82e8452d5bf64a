// Response headers the real API sends on every response (PROTOCOLS 1.8): ids, edge headers, rate limits.
import { randomBytes } from 'node:crypto';
import type { UnifiedPreset } from './behaviours.js';
import { uuidFrom } from './ids.js';

/** Who the request authenticated as; decides which rate-limit family applies. */
export interface Credential {
  kind: 'api_key' | 'oauth';
  value: string;
}

/** RFC 3339 without milliseconds, like the API's `*-reset` headers. */
const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** 1.8.1: sent on every response, success or error. */
export function baseHeaders(requestId: string, credential: Credential | undefined): Record<string, string> {
  return {
    'request-id': requestId,
    'anthropic-organization-id': uuidFrom(credential?.value ?? 'anonymous'),
    'cf-ray': `${randomBytes(8).toString('hex')}-CDG`,
    server: 'cloudflare',
    via: '1.1 google',
    'x-robots-tag': 'none',
  };
}

/** 1.8.2: API-key rate limits; `rejectedForSeconds` models the state after a 429. */
export function apiKeyRateLimitHeaders(now: number, rejectedForSeconds?: number): Record<string, string> {
  const h: Record<string, string> = {};
  const reset = rfc3339(now + (rejectedForSeconds ?? 1) * 1000);
  const families: Array<[string, number, number]> = [
    ['requests', 4000, 3999],
    ['tokens', 2_000_000, 1_999_000],
    ['input-tokens', 2_000_000, 1_999_000],
    ['output-tokens', 400_000, 400_000],
  ];
  for (const [name, limit, remaining] of families) {
    h[`anthropic-ratelimit-${name}-limit`] = String(limit);
    h[`anthropic-ratelimit-${name}-remaining`] = String(rejectedForSeconds !== undefined ? 0 : remaining);
    h[`anthropic-ratelimit-${name}-reset`] = reset;
  }
  return h;
}

interface Window {
  status: 'allowed' | 'allowed_warning' | 'rejected';
  utilization: number;
  surpassed?: number;
}

interface PresetSpec {
  status: Window['status'];
  claim: 'five_hour' | 'seven_day' | 'seven_day_opus';
  windows: Record<string, Window>;
  overageInUse?: boolean;
}

const allowed = (utilization: number): Window => ({ status: 'allowed', utilization });
const rejected = (utilization: number): Window => ({ status: 'rejected', utilization, surpassed: 1.0 });

/** Window states per preset; `7d_opus` uses the underscore spelling of the real headers. */
const PRESETS: Record<UnifiedPreset, PresetSpec> = {
  allowed: { status: 'allowed', claim: 'five_hour', windows: { '5h': allowed(0.09), '7d': allowed(0.31) } },
  allowed_warning: {
    status: 'allowed_warning',
    claim: 'five_hour',
    windows: { '5h': { status: 'allowed_warning', utilization: 0.92, surpassed: 0.9 }, '7d': allowed(0.31) },
  },
  rejected_5h: { status: 'rejected', claim: 'five_hour', windows: { '5h': rejected(1.01), '7d': allowed(0.69) } },
  rejected_7d: { status: 'rejected', claim: 'seven_day', windows: { '5h': allowed(0.4), '7d': rejected(1.0) } },
  rejected_7d_opus: {
    status: 'rejected',
    claim: 'seven_day_opus',
    windows: { '5h': allowed(0.09), '7d': allowed(0.31), '7d_opus': rejected(1.0) },
  },
  overage_in_use: {
    status: 'allowed',
    claim: 'five_hour',
    windows: { '5h': rejected(1.02), '7d': allowed(0.31) },
    overageInUse: true,
  },
};

/** Epoch seconds of the current 5h / 7d windows' ends, relative to `now`. */
export function unifiedResets(now: number): { fiveHour: number; sevenDay: number } {
  const s = Math.floor(now / 1000);
  return { fiveHour: s + 2 * 3600 + 17 * 60, sevenDay: s + 3 * 86400 + 5 * 3600 };
}

/** 1.8.3: the `anthropic-ratelimit-unified-*` family for a preset, with plausible values. */
export function unifiedHeaders(preset: UnifiedPreset, now: number): Record<string, string> {
  const spec = PRESETS[preset];
  const { fiveHour, sevenDay } = unifiedResets(now);
  const p = 'anthropic-ratelimit-unified';
  const h: Record<string, string> = {
    [`${p}-status`]: spec.status,
    [`${p}-representative-claim`]: spec.claim,
    [`${p}-reset`]: String(spec.claim === 'five_hour' ? fiveHour : sevenDay),
    [`${p}-fallback-percentage`]: '0.5',
  };
  for (const [name, w] of Object.entries(spec.windows)) {
    h[`${p}-${name}-status`] = w.status;
    h[`${p}-${name}-utilization`] = String(w.utilization);
    h[`${p}-${name}-reset`] = String(name === '5h' ? fiveHour : sevenDay);
    if (w.surpassed !== undefined) h[`${p}-${name}-surpassed-threshold`] = w.surpassed.toFixed(1);
  }
  if (spec.overageInUse) {
    Object.assign(h, {
      [`${p}-overage-status`]: 'allowed',
      [`${p}-overage-utilization`]: '0.12',
      [`${p}-overage-reset`]: String(sevenDay),
      [`${p}-overage-in-use`]: 'true',
    });
  } else {
    Object.assign(h, { [`${p}-overage-status`]: 'rejected', [`${p}-overage-disabled-reason`]: 'org_level_disabled' });
  }
  return h;
}

/** Seconds until the binding window of a rejected preset resets (the real 429's `retry-after`). */
export function unifiedRetryAfter(preset: UnifiedPreset | undefined, now: number): number | undefined {
  if (preset === undefined || !preset.startsWith('rejected')) return undefined;
  const reset = Number(unifiedHeaders(preset, now)['anthropic-ratelimit-unified-reset']);
  return Math.max(1, reset - Math.floor(now / 1000));
}
