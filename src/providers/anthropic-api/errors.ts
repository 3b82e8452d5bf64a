// Classifies a failed Anthropic answer (API-key and subscription accounts share the wire): status, the
// rate-limit headers of PROTOCOLS 1.8 and the error body decide the class; the health policy decides the rest.
import type { FailureClass, UpstreamFailure } from '../../scheduling/failure.js';

const header = (f: UpstreamFailure, name: string): string | undefined => {
  const v = f.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function message(f: UpstreamFailure): string {
  const b = f.body as { error?: { message?: unknown } } | undefined;
  return typeof b?.error?.message === 'string' ? b.error.message : '';
}

/** `retry-after` as epoch ms (seconds or an HTTP date), or undefined. */
export function retryAfterAt(f: UpstreamFailure): number | undefined {
  const v = header(f, 'retry-after');
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return f.at + Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

const CLAIM_FAMILY: Record<string, string> = { seven_day_opus: 'opus', seven_day_sonnet: 'sonnet' };

function classify429(f: UpstreamFailure, msg: string): FailureClass {
  if (/extra usage/i.test(msg)) return { kind: 'client_error', reason: msg || 'extra usage required' };
  const unifiedReset = Number(header(f, 'anthropic-ratelimit-unified-reset'));
  if (Number.isFinite(unifiedReset) && unifiedReset > 0) {
    const claim = header(f, 'anthropic-ratelimit-unified-representative-claim') ?? '';
    return { kind: 'rate_limited', until: unifiedReset * 1000, reason: `usage limit reached (${claim || 'window'})`, modelFamily: CLAIM_FAMILY[claim] };
  }
  // API-key limits: an exhausted bucket names its own reset (RFC 3339).
  for (const bucket of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
    if (header(f, `anthropic-ratelimit-${bucket}-remaining`) === '0') {
      const reset = Date.parse(header(f, `anthropic-ratelimit-${bucket}-reset`) ?? '');
      if (Number.isFinite(reset)) return { kind: 'rate_limited', until: reset, reason: `${bucket} rate limit reached` };
    }
  }
  return { kind: 'throttled', until: retryAfterAt(f), reason: msg || 'rate limited' };
}

export function classifyAnthropicFailure(f: UpstreamFailure): FailureClass {
  const msg = message(f);
  if (f.status === 0) return { kind: 'network', reason: f.transportCode ?? 'network error' };
  if (f.status === 429) return classify429(f, msg);
  if (f.status === 529) return { kind: 'overloaded', until: retryAfterAt(f), reason: msg || 'overloaded' };
  if (f.status === 401) return { kind: 'unauthorized', reason: msg || 'credentials rejected' };
  if (/organization has been disabled|not allowed for this organization/i.test(msg)) return { kind: 'blocked', reason: msg };
  if (f.status === 402 || f.status === 403) return { kind: 'blocked', reason: msg || `HTTP ${f.status}` };
  if (f.status === 408 || f.status >= 500) return { kind: 'server_error', until: retryAfterAt(f), reason: msg || `HTTP ${f.status}` };
  return { kind: 'client_error', reason: msg || `HTTP ${f.status}` };
}
