// Classifies a failed OpenAI-style answer (API and ChatGPT backend share the error shape, PROTOCOLS 4.4, 3.3):
// the status, the error's type/code and the reset hints decide the class; the health policy decides the rest.
import type { FailureClass, UpstreamFailure } from '../../scheduling/failure.js';
import { retryAfterAt } from '../anthropic-api/errors.js';

interface OpenAIErrorBody {
  type?: unknown;
  code?: unknown;
  message?: unknown;
  resets_at?: unknown;
  resets_in_seconds?: unknown;
}

function errorOf(f: UpstreamFailure): OpenAIErrorBody {
  const b = f.body as { error?: OpenAIErrorBody } | undefined;
  return b?.error && typeof b.error === 'object' ? b.error : {};
}

const header = (f: UpstreamFailure, name: string): string | undefined => {
  const v = f.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** OpenAI's reset durations (`1s`, `6m0s`, `250ms`, `1h2m3.5s`) → ms; undefined when absent or unreadable. */
export function durationMs(v: string | undefined): number | undefined {
  if (!v) return undefined;
  let total = 0;
  let matched = false;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    matched = true;
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  }
  return matched ? total : undefined;
}

function resetAt(f: UpstreamFailure, e: OpenAIErrorBody): number | undefined {
  if (typeof e.resets_at === 'number' && e.resets_at > 0) return e.resets_at * 1000;
  if (typeof e.resets_in_seconds === 'number' && e.resets_in_seconds > 0) return f.at + e.resets_in_seconds * 1000;
  const fromHeaders = [durationMs(header(f, 'x-ratelimit-reset-requests')), durationMs(header(f, 'x-ratelimit-reset-tokens'))].filter(
    (x): x is number => x !== undefined,
  );
  if (fromHeaders.length) return f.at + Math.max(...fromHeaders);
  return retryAfterAt(f);
}

const ACCOUNT_CODE = /^(account_deactivated|account_disabled|account_suspended|organization_deactivated)$/;
const ACCOUNT_MESSAGE = /^(your|this) (account|organization|workspace) (has been|is|was) (deactivated|disabled|suspended|banned)\b/i;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function classifyOpenAIFailure(f: UpstreamFailure): FailureClass {
  if (f.status === 0) return { kind: 'network', reason: f.transportCode ?? 'network error' };
  const e = errorOf(f);
  const type = str(e.type);
  const code = str(e.code);
  const msg = str(e.message);
  if (f.status === 429) {
    // A subscription's usage window, or a key without credit: out until the announced reset (or the long cooldown).
    if (type === 'usage_limit_reached' || code === 'usage_limit_reached')
      return { kind: 'rate_limited', until: resetAt(f, e), reason: msg || 'usage limit reached' };
    if (type === 'insufficient_quota' || code === 'insufficient_quota')
      return { kind: 'rate_limited', until: resetAt(f, e), reason: msg || 'insufficient quota' };
    return { kind: 'throttled', until: resetAt(f, e), reason: msg || 'rate limited' };
  }
  if (f.status === 401) return { kind: 'unauthorized', reason: msg || 'credentials rejected' };
  // Only an explicit account-level signal blocks an account (its error code, or a message that starts by saying so:
  // anchored, so a model name the upstream echoes back cannot trigger it); any other 403 cools down.
  if (f.status === 403 && (ACCOUNT_CODE.test(code) || ACCOUNT_MESSAGE.test(msg))) return { kind: 'blocked', reason: msg || code };
  if (f.status === 403) return { kind: 'forbidden', until: retryAfterAt(f), reason: msg || 'HTTP 403' };
  if (f.status === 503 || f.status === 529) return { kind: 'overloaded', until: retryAfterAt(f), reason: msg || `HTTP ${f.status}` };
  if (f.status === 408 || f.status >= 500) return { kind: 'server_error', until: retryAfterAt(f), reason: msg || `HTTP ${f.status}` };
  return { kind: 'client_error', reason: msg || `HTTP ${f.status}` };
}
