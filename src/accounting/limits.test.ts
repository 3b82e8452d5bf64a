import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS, type ApiKeyLimits } from '../core/api-key.js';
import { admissionPlan, clientAllowed, countsWeekly, dayEndsAt, modelAllowed, periodLabels, refusal, serviceAllowed, weekStart } from './limits.js';

const L = (over: Partial<ApiKeyLimits> = {}): ApiKeyLimits => ({ ...DEFAULT_LIMITS, ...over });
const NOW = Date.UTC(2026, 10, 26, 15, 0); // Thursday 2026-11-26 15:00 UTC = 23:00 in UTC+8

test('weekStart: the last reset day/hour in the reporting zone', () => {
  // Monday 00:00 UTC+8 before Thu 23:00 UTC+8 is Mon 2026-11-23 00:00 +8 = Sun 2026-11-22 16:00 UTC
  assert.equal(weekStart(NOW, 8, 1, 0), Date.UTC(2026, 10, 22, 16));
  // Thursday 23:00 +8 resets exactly now
  assert.equal(weekStart(NOW, 8, 4, 23), NOW);
  // Thursday 23:30 +8 is still ahead: last week's
  assert.equal(weekStart(NOW, 8, 4, 23) - 7 * 86_400_000 < NOW, true);
  assert.equal(weekStart(NOW - 1, 8, 4, 23), NOW - 7 * 86_400_000);
  // Sunday 12:00 UTC
  assert.equal(weekStart(NOW, 0, 7, 12), Date.UTC(2026, 10, 22, 12));
});

test('no counted limit: no admission plan (no store round trip)', () => {
  assert.equal(
    admissionPlan(L({ enableModelRestriction: true, restrictedModels: ['x'] }), { model: 'm', now: NOW, offsetHours: 8, leaseId: 'l', leaseTtlMs: 1 }),
    null,
  );
});

test('admission plan: every counted limit, money in nanos, tokenLimit per window or in total', () => {
  const p = admissionPlan(
    L({
      concurrencyLimit: 4,
      rateLimitWindow: 60,
      rateLimitRequests: 100,
      rateLimitCostNanos: 1_500_000_000,
      tokenLimit: 50_000,
      dailyCostLimitNanos: 10e9,
      totalCostLimitNanos: 200e9,
      weeklyOpusCostLimitNanos: 30e9,
    }),
    { model: 'claude-opus-4-8', now: NOW, offsetHours: 8, leaseId: 'lease', leaseTtlMs: 300_000 },
  )!;
  assert.deepEqual(p, {
    now: NOW,
    concurrency: { limit: 4, leaseId: 'lease', ttlMs: 300_000 },
    window: { ms: 3_600_000, maxRequests: 100, maxTokens: 50_000, maxCostNanos: 1_500_000_000 },
    daily: { label: '2026-11-26', maxCostNanos: 10_000_000_000 },
    total: { maxCostNanos: 200_000_000_000, maxTokens: 0 },
    weekly: { label: '2026-11-23T00:opus', maxCostNanos: 30_000_000_000 },
  });
  const noWindow = admissionPlan(L({ tokenLimit: 1000 }), { model: 'claude-sonnet-5', now: NOW, offsetHours: 8, leaseId: 'l', leaseTtlMs: 1 })!;
  assert.deepEqual(noWindow.total, { maxCostNanos: 0, maxTokens: 1000 });
  assert.equal(noWindow.window, undefined);
});

test('weekly cap families', () => {
  const w = (family: ApiKeyLimits['weeklyCostFamily']) => L({ weeklyOpusCostLimitNanos: 5e9, weeklyCostFamily: family });
  assert.equal(countsWeekly(w('opus'), 'claude-opus-4-8'), true);
  assert.equal(countsWeekly(w('opus'), 'claude-sonnet-5'), false);
  assert.equal(countsWeekly(w('claude'), 'claude-haiku-4-5'), true);
  assert.equal(countsWeekly(w('claude'), 'gpt-5'), false);
  assert.equal(countsWeekly(w('all'), 'gpt-5'), true);
  assert.equal(countsWeekly(L(), 'claude-opus-4-8'), false, 'no cap, no counting');
  assert.equal(periodLabels(w('sonnet'), 'claude-sonnet-5', NOW, 8).weekly, '2026-11-23T00:sonnet');
});

test('model, service and client restrictions', () => {
  const deny = L({ enableModelRestriction: true, restrictedModels: ['claude-opus-4-8', 'claude-haiku-*'] });
  assert.equal(modelAllowed(deny, 'claude-opus-4-8'), false);
  assert.equal(modelAllowed(deny, 'CLAUDE-OPUS-4-8-20260801'), false, 'dated ids of a listed model');
  assert.equal(modelAllowed(deny, 'claude-haiku-4-5-20251001'), false, 'wildcard');
  assert.equal(modelAllowed(deny, 'claude-sonnet-5'), true);
  const allow = L({ enableModelRestriction: true, modelRestrictionMode: 'whitelist', restrictedModels: ['claude-sonnet-5'] });
  assert.equal(modelAllowed(allow, 'claude-sonnet-5'), true);
  assert.equal(modelAllowed(allow, 'claude-opus-4-8'), false);
  assert.equal(modelAllowed(L({ restrictedModels: ['x'] }), 'x'), true, 'the list does nothing while the restriction is off');
  assert.equal(serviceAllowed(L(), 'gemini'), true);
  assert.equal(serviceAllowed(L({ permissions: ['claude'] }), 'openai'), false);
  const cc = L({ enableClientRestriction: true, allowedClients: ['claude_code'] });
  assert.equal(clientAllowed(cc, 'claude_code'), true);
  assert.equal(clientAllowed(cc, 'codex_cli'), false);
  assert.equal(clientAllowed(cc, null), false, 'unknown clients are refused when restricted');
  assert.equal(clientAllowed(L(), null), true);
});

test('refusals: status, code, retry-after and reset time', () => {
  const l = L({
    concurrencyLimit: 2,
    rateLimitWindow: 10,
    rateLimitRequests: 5,
    dailyCostLimitNanos: 3e9,
    weeklyOpusCostLimitNanos: 7e9,
    totalCostLimitNanos: 9e9,
    tokenLimit: 100,
  });
  const ctx = { now: NOW, offsetHours: 8 };
  const table: [Parameters<typeof refusal>[0], number, string, number | undefined][] = [
    ['concurrency', 429, 'KEY_CONCURRENCY_LIMIT', 1],
    ['window_requests', 429, 'KEY_RATE_LIMITED', 120],
    ['daily_cost', 402, 'KEY_DAILY_COST_LIMIT', 3600],
    ['weekly_cost', 402, 'KEY_WEEKLY_COST_LIMIT', 3 * 86_400 + 3600],
    ['total_cost', 402, 'KEY_TOTAL_COST_LIMIT', undefined],
    ['total_tokens', 402, 'KEY_TOKEN_LIMIT', undefined],
  ];
  for (const [reason, status, code, retry] of table) {
    const e = refusal(reason, l, { ...ctx, windowEndsAt: NOW + 120_000 });
    assert.equal(e.status, status, reason);
    assert.equal(e.code, code, reason);
    assert.equal(e.retryAfterSec, retry, reason);
  }
  assert.equal(dayEndsAt(NOW, 8), NOW + 3_600_000);
  assert.match(refusal('window_requests', l, { ...ctx, windowEndsAt: NOW + 120_000 }).message, /5 requests per 10 minute/);
});
