// Classifies a failed Gemini answer (Developer API and Code Assist share Google's RPC error shape, PROTOCOLS 5.5,
// 3.4): the HTTP status, `error.status`, the ErrorInfo reason and the retry hints decide the class; the health
// policy decides what the class does to the account.
import type { FailureClass, UpstreamFailure } from '../../scheduling/failure.js';
import { retryAfterAt } from '../anthropic-api/errors.js';
import { durationMs } from '../openai-api/errors.js';

interface GoogleError {
  status: string;
  message: string;
  reasons: string[];
  /** Epoch ms the upstream says the limit lasts until (RetryInfo.retryDelay, quotaResetDelay/TimeStamp). */
  until: number | undefined;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Reads `{error:{code, message, status, details:[ErrorInfo, RetryInfo, …]}}` (or a JSON array holding one). */
export function googleError(f: UpstreamFailure): GoogleError {
  const body = Array.isArray(f.body) ? f.body[0] : f.body;
  const e = ((body as { error?: unknown } | undefined)?.error ?? {}) as Json;
  const details = Array.isArray(e.details) ? (e.details as Json[]) : [];
  const reasons: string[] = [];
  const resets: number[] = [];
  for (const d of details) {
    if (!d || typeof d !== 'object') continue;
    if (typeof d.reason === 'string') reasons.push(d.reason);
    const delay = durationMs(str(d.retryDelay));
    if (delay !== undefined) resets.push(f.at + delay);
    const meta = (d.metadata ?? {}) as Json;
    const quotaDelay = durationMs(str(meta.quotaResetDelay));
    if (quotaDelay !== undefined) resets.push(f.at + quotaDelay);
    const stamp = Date.parse(str(meta.quotaResetTimeStamp));
    if (Number.isFinite(stamp) && stamp > f.at) resets.push(stamp);
  }
  const until = resets.length ? Math.max(...resets) : retryAfterAt(f);
  return { status: str(e.status), message: str(e.message), reasons, until };
}

/** Structured reasons (not client text) that mean the credential itself is bad. */
const KEY_REASONS = new Set(['API_KEY_INVALID', 'API_KEY_EXPIRED', 'API_KEY_SERVICE_BLOCKED', 'ACCESS_TOKEN_EXPIRED', 'ACCESS_TOKEN_TYPE_UNSUPPORTED']);
/** Structured reasons that take the account's project out until an operator acts. */
const BLOCKED_REASONS = new Set(['CONSUMER_SUSPENDED', 'SERVICE_DISABLED', 'BILLING_DISABLED', 'USER_PROJECT_DENIED']);
/** An account-level "disabled" in the message (Google's own wording names the project, account or consumer). */
const DISABLED = /\b(project|account|consumer|user)\b[^.]{0,80}\b(has been |is |was )?(disabled|suspended|banned|deleted)\b/i;
const DAILY = /per ?day|PerDay|daily/i;

export function classifyGeminiFailure(f: UpstreamFailure): FailureClass {
  if (f.status === 0) return { kind: 'network', reason: f.transportCode ?? 'network error' };
  const e = googleError(f);
  const reason = e.message || e.status || `HTTP ${f.status}`;
  if (f.status === 429 || e.status === 'RESOURCE_EXHAUSTED') {
    // A reset the upstream announced (RetryInfo, quota reset) or a daily quota: out until then; else a short throttle.
    if (e.until !== undefined || DAILY.test(e.message) || e.reasons.includes('QUOTA_EXHAUSTED')) return { kind: 'rate_limited', until: e.until, reason };
    return { kind: 'throttled', reason };
  }
  if (e.reasons.some((r) => KEY_REASONS.has(r)) || /API key not valid|API key expired/i.test(e.message)) return { kind: 'unauthorized', reason };
  if (f.status === 401 || e.status === 'UNAUTHENTICATED') return { kind: 'unauthorized', reason };
  if (e.reasons.some((r) => BLOCKED_REASONS.has(r))) return { kind: 'blocked', reason };
  if (f.status === 403 && DISABLED.test(e.message)) return { kind: 'blocked', reason };
  // Any other PERMISSION_DENIED (a model or project a request names, a proxy's refusal): a short cooldown.
  if (f.status === 403) return { kind: 'forbidden', reason };
  // The account's region (its egress) is not served, or its billing: another account may do better.
  if (f.status === 400 && e.status === 'FAILED_PRECONDITION' && /location is not supported|billing/i.test(e.message)) return { kind: 'forbidden', reason };
  if (f.status === 503) return { kind: 'overloaded', until: e.until, reason };
  if (f.status === 408 || f.status >= 500) return { kind: 'server_error', until: e.until, reason };
  return { kind: 'client_error', reason };
}
