import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UpstreamFailure } from '../../scheduling/failure.js';
import { classifyOpenAIFailure, durationMs } from './errors.js';

const AT = Date.UTC(2026, 11, 4);
const f = (status: number, error: Record<string, unknown> = {}, headers: Record<string, string> = {}): UpstreamFailure => ({
  status,
  headers,
  body: { error },
  at: AT,
});

const cases: { name: string; failure: UpstreamFailure; kind: string; until?: number }[] = [
  {
    name: 'usage_limit_reached (ChatGPT plan) with resets_at',
    failure: f(429, { type: 'usage_limit_reached', resets_at: AT / 1000 + 600 }),
    kind: 'rate_limited',
    until: AT + 600_000,
  },
  {
    name: 'usage_limit_reached with resets_in_seconds',
    failure: f(429, { type: 'usage_limit_reached', resets_in_seconds: 90 }),
    kind: 'rate_limited',
    until: AT + 90_000,
  },
  { name: 'insufficient_quota', failure: f(429, { type: 'insufficient_quota', code: 'insufficient_quota' }), kind: 'rate_limited' },
  {
    name: 'rate_limit_exceeded with x-ratelimit-reset-requests',
    failure: f(429, { code: 'rate_limit_exceeded' }, { 'x-ratelimit-reset-requests': '6m0s', 'x-ratelimit-reset-tokens': '250ms' }),
    kind: 'throttled',
    until: AT + 360_000,
  },
  {
    name: 'rate_limit_exceeded with retry-after',
    failure: f(429, { code: 'rate_limit_exceeded' }, { 'retry-after': '20' }),
    kind: 'throttled',
    until: AT + 20_000,
  },
  { name: '401', failure: f(401, { code: 'invalid_api_key' }), kind: 'unauthorized' },
  { name: 'a deactivated account (code)', failure: f(403, { code: 'account_deactivated', message: 'x' }), kind: 'blocked' },
  { name: 'a deactivated account (message)', failure: f(403, { message: 'Your account has been deactivated.' }), kind: 'blocked' },
  {
    name: 'a model name echoed back cannot block an account',
    failure: f(403, { message: 'The model `this-account-is-disabled` is not available to you' }),
    kind: 'forbidden',
  },
  { name: 'a bare 403 (region) cools down', failure: f(403, { code: 'unsupported_country_region_territory' }), kind: 'forbidden' },
  { name: '503', failure: f(503, { type: 'server_error' }), kind: 'overloaded' },
  { name: '500', failure: f(500, { type: 'server_error' }), kind: 'server_error' },
  { name: '400 is the client’s', failure: f(400, { type: 'invalid_request_error', param: 'input' }), kind: 'client_error' },
  { name: 'connection refused', failure: { status: 0, headers: {}, body: undefined, transportCode: 'ECONNREFUSED', at: AT }, kind: 'network' },
];

for (const c of cases) {
  test(`classify: ${c.name} → ${c.kind}`, () => {
    const r = classifyOpenAIFailure(c.failure);
    assert.equal(r.kind, c.kind);
    if (c.until !== undefined) assert.equal(r.until, c.until);
  });
}

test('OpenAI reset durations', () => {
  assert.equal(durationMs('1s'), 1000);
  assert.equal(durationMs('6m0s'), 360_000);
  assert.equal(durationMs('250ms'), 250);
  assert.equal(durationMs('1h2m3.5s'), 3_723_500);
  assert.equal(durationMs('soon'), undefined);
  assert.equal(durationMs(undefined), undefined);
});
