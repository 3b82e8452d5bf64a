// Classification of Gemini / Code Assist failures (PROTOCOLS 5.5, 3.4): a table of upstream answers and the class
// each gets; the health policy then decides what the class does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FailureClass } from '../../scheduling/failure.js';
import { classifyGeminiFailure } from './errors.js';

const AT = 1_767_000_000_000;
const err = (code: number, status: string, message: string, details: unknown[] = []) => ({ error: { code, message, status, details } });
const retry = (d: string) => ({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: d });
const info = (reason: string, metadata: Record<string, string> = {}) => ({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, metadata });

const cases: [string, number, unknown, Partial<FailureClass>, Record<string, string>?][] = [
  [
    '429 with RetryInfo 37s → rate_limited until then',
    429,
    err(429, 'RESOURCE_EXHAUSTED', 'quota', [info('RATE_LIMIT_EXCEEDED'), retry('37s')]),
    { kind: 'rate_limited', until: AT + 37_000 },
  ],
  ['429 with a fractional retryDelay', 429, err(429, 'RESOURCE_EXHAUSTED', 'quota', [retry('1.5s')]), { kind: 'rate_limited', until: AT + 1500 }],
  [
    'Code Assist 429: quotaResetDelay',
    429,
    err(429, 'RESOURCE_EXHAUSTED', 'You have exhausted your capacity', [info('RATE_LIMIT_EXCEEDED', { quotaResetDelay: '2h3m4s' })]),
    { kind: 'rate_limited', until: AT + (2 * 3600 + 3 * 60 + 4) * 1000 },
  ],
  [
    'Code Assist 429: quotaResetTimeStamp',
    429,
    err(429, 'RESOURCE_EXHAUSTED', 'x', [info('QUOTA_EXHAUSTED', { quotaResetTimeStamp: new Date(AT + 600_000).toISOString() })]),
    { kind: 'rate_limited', until: AT + 600_000 },
  ],
  [
    '429 naming a daily quota, no delay → rate_limited (default cooldown)',
    429,
    err(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for metric: generate_content_free_tier_requests, limit: 50, per day'),
    { kind: 'rate_limited', until: undefined },
  ],
  ['429 with retry-after only', 429, err(429, 'RESOURCE_EXHAUSTED', 'slow down'), { kind: 'rate_limited', until: AT + 5000 }, { 'retry-after': '5' }],
  ['429 without any hint → throttled', 429, err(429, 'RESOURCE_EXHAUSTED', 'slow down'), { kind: 'throttled' }],
  [
    '400 API_KEY_INVALID → unauthorized',
    400,
    err(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [info('API_KEY_INVALID')]),
    { kind: 'unauthorized' },
  ],
  [
    '400 API key expired (message only) → unauthorized',
    400,
    err(400, 'INVALID_ARGUMENT', 'API key expired. Please renew the API key.'),
    { kind: 'unauthorized' },
  ],
  ['401 UNAUTHENTICATED → unauthorized', 401, err(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'), { kind: 'unauthorized' }],
  [
    '403 PERMISSION_DENIED → forbidden (a cooldown, not a block)',
    403,
    err(403, 'PERMISSION_DENIED', 'The caller does not have permission'),
    { kind: 'forbidden' },
  ],
  [
    '403 naming a suspended consumer → blocked',
    403,
    err(403, 'PERMISSION_DENIED', 'Permission denied: Consumer has been suspended.', [info('CONSUMER_SUSPENDED')]),
    { kind: 'blocked' },
  ],
  [
    '403 whose message says the project is disabled → blocked',
    403,
    err(403, 'PERMISSION_DENIED', 'This project has been disabled for abuse.'),
    { kind: 'blocked' },
  ],
  [
    '403 SERVICE_DISABLED → blocked (an operator must enable the API)',
    403,
    err(403, 'PERMISSION_DENIED', 'Gemini for Google Cloud API has not been used in project p before or it is disabled.', [info('SERVICE_DISABLED')]),
    { kind: 'blocked' },
  ],
  [
    '400 FAILED_PRECONDITION: location not supported → forbidden',
    400,
    err(400, 'FAILED_PRECONDITION', 'User location is not supported for the API use.'),
    { kind: 'forbidden' },
  ],
  ['400 INVALID_ARGUMENT → client_error (no failover)', 400, err(400, 'INVALID_ARGUMENT', 'Invalid value at generation_config'), { kind: 'client_error' }],
  ['404 unknown model → client_error', 404, err(404, 'NOT_FOUND', 'models/x is not found'), { kind: 'client_error' }],
  ['503 UNAVAILABLE → overloaded', 503, err(503, 'UNAVAILABLE', 'The model is overloaded.'), { kind: 'overloaded' }],
  ['500 INTERNAL → server_error', 500, err(500, 'INTERNAL', 'internal'), { kind: 'server_error' }],
  ['504 → server_error', 504, err(504, 'DEADLINE_EXCEEDED', 'deadline'), { kind: 'server_error' }],
  ['an HTML 502 → server_error', 502, undefined, { kind: 'server_error', reason: 'HTTP 502' }],
  ['a JSON-array error body (stream form)', 429, [err(429, 'RESOURCE_EXHAUSTED', 'q', [retry('3s')])], { kind: 'rate_limited', until: AT + 3000 }],
];

for (const [name, status, body, expected, headers] of cases) {
  test(name, () => {
    const c = classifyGeminiFailure({ status, headers: headers ?? {}, body, at: AT });
    for (const [k, v] of Object.entries(expected)) assert.deepEqual(c[k as keyof FailureClass], v, k);
  });
}

test('a transport failure → network', () => {
  assert.deepEqual(classifyGeminiFailure({ status: 0, headers: {}, body: undefined, transportCode: 'ECONNRESET', at: AT }), {
    kind: 'network',
    reason: 'ECONNRESET',
  });
});
