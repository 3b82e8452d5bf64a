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

/**
 * The upstream's account-level "disabled" answer (PROTOCOLS 1.1: 400 "This organization has been disabled.", and
 * the 403 permission_error variants naming the account or organisation). Anchored at the start of the message:
 * upstream messages echo client text (`model: <name>`), and a client must not be able to spell a ban.
 */
const ACCOUNT_DISABLED = /^(this|your) (organi[sz]ation|account) (has been|is|was) (disabled|suspended|banned|deactivated)\b/i;

/** True when a 400/403 answer carries a documented account-level "disabled" signal. */
export function isAccountDisabled(f: UpstreamFailure, msg: string): boolean {
  return (f.status === 400 || f.status === 403) && ACCOUNT_DISABLED.test(msg.trim());
}

export function classifyAnthropicFailure(f: UpstreamFailure): FailureClass {
  const msg = message(f);
  if (f.status === 0) return { kind: 'network', reason: f.transportCode ?? 'network error' };
  if (f.status === 429) return classify429(f, msg);
  if (f.status === 529) return { kind: 'overloaded', until: retryAfterAt(f), reason: msg || 'overloaded' };
  if (f.status === 401) return { kind: 'unauthorized', reason: msg || 'credentials rejected' };
  if (isAccountDisabled(f, msg)) return { kind: 'blocked', reason: msg };
  // 402 billing_error (credit balance) is about the account, never the request.
  if (f.status === 402) return { kind: 'blocked', reason: msg || 'HTTP 402 (billing)' };
  // Any other 403 (permission_error on a resource, a proxy's refusal, an occasional "Permission denied"): a short
  // cooldown, because a client can provoke one with its own request.
  if (f.status === 403) return { kind: 'forbidden', reason: msg || 'HTTP 403' };
  if (f.status === 408 || f.status >= 500) return { kind: 'server_error', until: retryAfterAt(f), reason: msg || `HTTP ${f.status}` };
  return { kind: 'client_error', reason: msg || `HTTP ${f.status}` };
}
