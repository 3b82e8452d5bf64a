import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activeReasons,
  availableAt,
  blockingReasons,
  clearedBySuccess,
  DEFAULT_COOLDOWNS,
  healthState,
  mergeReason,
  modelFamily,
  reasonFor,
} from './health-policy.js';
import type { FailureClass } from './failure.js';

const NOW = 10_000_000;
const cases: { name: string; cls: FailureClass; until: number | null | 'none' }[] = [
  { name: 'rate limited until the announced reset', cls: { kind: 'rate_limited', until: NOW + 7_835_000, reason: 'x' }, until: NOW + 7_835_000 },
  { name: 'rate limited without a reset: the default hour', cls: { kind: 'rate_limited', reason: 'x' }, until: NOW + DEFAULT_COOLDOWNS.rateLimitedSec * 1000 },
  { name: 'a reset in the past is ignored', cls: { kind: 'throttled', until: NOW - 5, reason: 'x' }, until: NOW + DEFAULT_COOLDOWNS.throttledSec * 1000 },
  { name: 'an absurd reset is capped at a week', cls: { kind: 'rate_limited', until: NOW + 365 * 86_400_000, reason: 'x' }, until: NOW + 7 * 86_400_000 },
  { name: 'overloaded: retry-after', cls: { kind: 'overloaded', until: NOW + 5000, reason: 'x' }, until: NOW + 5000 },
  { name: 'server error: default cooldown', cls: { kind: 'server_error', reason: 'x' }, until: NOW + 60_000 },
  { name: 'network: default cooldown', cls: { kind: 'network', reason: 'x' }, until: NOW + 30_000 },
  { name: 'unauthorized: half an hour', cls: { kind: 'unauthorized', reason: 'x' }, until: NOW + 1_800_000 },
  { name: 'blocked (a documented account-level signal): until an operator', cls: { kind: 'blocked', reason: 'x' }, until: null },
  {
    name: 'forbidden (a bare 403): a short cooldown, never until an operator',
    cls: { kind: 'forbidden', reason: 'x' },
    until: NOW + DEFAULT_COOLDOWNS.forbiddenSec * 1000,
  },
  { name: 'client errors are not the account’s fault', cls: { kind: 'client_error', reason: 'x' }, until: 'none' },
];
for (const c of cases) {
  test(`reasonFor: ${c.name}`, () => {
    const r = reasonFor(c.cls, { now: NOW, httpStatus: 429 });
    if (c.until === 'none') assert.equal(r, null);
    else {
      assert.equal(r?.until, c.until);
      assert.equal(r?.code, c.cls.kind);
      assert.equal(r?.since, NOW);
    }
  });
}

test('merge, expiry, family scope, state and availability', () => {
  const limited = reasonFor({ kind: 'rate_limited', until: NOW + 1000, reason: 'a', modelFamily: 'opus' }, { now: NOW })!;
  const overloaded = reasonFor({ kind: 'overloaded', until: NOW + 500, reason: 'b' }, { now: NOW })!;
  let rs = mergeReason([], limited, NOW);
  rs = mergeReason(rs, overloaded, NOW);
  rs = mergeReason(rs, { ...overloaded, until: NOW + 800 }, NOW);
  assert.equal(rs.length, 2, 'same code replaces');
  assert.equal(healthState(rs), 'rate_limited');
  assert.equal(blockingReasons(rs, NOW, 'sonnet').length, 1, 'the opus limit does not block sonnet');
  assert.equal(blockingReasons(rs, NOW, 'opus').length, 2);
  assert.equal(availableAt(rs), NOW + 1000);
  assert.equal(activeReasons(rs, NOW + 900).length, 1);
  assert.equal(healthState(activeReasons(rs, NOW + 2000)), 'healthy');
  assert.equal(availableAt([{ ...limited, until: null }]), null);
});

test('model family', () => {
  assert.equal(modelFamily('claude-opus-4-8'), 'opus');
  assert.equal(modelFamily('claude-sonnet-5'), 'sonnet');
  assert.equal(modelFamily('claude-haiku-4-5-20251001'), 'haiku');
  assert.equal(modelFamily('gpt-5'), null);
});

test('a bare 403 or a 5xx cools down and does not escalate; a success or the probe ends it (P8 item 5)', () => {
  const forbidden = reasonFor({ kind: 'forbidden', reason: 'Permission denied' }, { now: NOW, httpStatus: 403 })!;
  assert.equal(forbidden.until, NOW + 60_000, 'a single 403 is a one-minute cooldown, not a block until an operator acts');
  const again = reasonFor({ kind: 'forbidden', reason: 'Permission denied' }, { now: NOW + 61_000, httpStatus: 403 })!;
  assert.equal(again.until! - again.since, 60_000, 'a repeat gets the same cooldown: one key holder cannot stretch the outage');
  assert.equal(healthState([forbidden]), 'forbidden');
  assert.equal(clearedBySuccess(forbidden), true, 'the account answering proves it wrong');
  const serverError = reasonFor({ kind: 'server_error', reason: 'HTTP 500' }, { now: NOW, httpStatus: 500 })!;
  assert.equal(serverError.until, NOW + DEFAULT_COOLDOWNS.serverErrorSec * 1000);
  assert.equal(healthState([forbidden, reasonFor({ kind: 'blocked', reason: 'disabled' }, { now: NOW })!]), 'blocked');
});
