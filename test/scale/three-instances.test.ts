// Three real relay processes on one Redis (a fresh key prefix) behind a round-robin client: a key's concurrency,
// rate window and cost cap hold exactly as with one process; a conversation stays on one account whichever
// instance serves each turn; a 429 seen by one instance routes the other two away from that account; and the usage
// totals in the store equal, to the token, what the fake upstream reported to the clients.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readLimitUsage } from '../../src/accounting/limit-usage.js';
import { computeCost } from '../../src/accounting/cost.js';
import { loadPricing } from '../../src/accounting/pricing.js';
import { queryUsageReport } from '../../src/accounting/usage-report.js';
import type { Account } from '../../src/core/account.js';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { sendMessage, sleep, sumUsage, type Outcome } from '../support/load.js';
import { dropPrefix, redisSkipReason, testPrefix, TEST_REDIS_URL } from '../support/redis.js';
import { startRelayProcs, type RelayProcs } from '../support/relay-procs.js';
import { cleanupTempDirs } from '../ops/support.js';

const ACCOUNT_KEYS = ['sk-ant-api03-scale-a', 'sk-ant-api03-scale-b', 'sk-ant-api03-scale-c'];
const TZ = 8;

describe('three relay processes on one Redis', async () => {
  const skip = await redisSkipReason();
  let fake: FakeUpstream;
  let relays: RelayProcs;
  const prefix = testPrefix();
  const accounts: Account[] = [];

  before(async () => {
    if (skip) return;
    fake = await createFakeUpstream();
    relays = await startRelayProcs(3, { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix }, async (core) => {
      // Same priority: least-recently-used spreads requests over all three (so only stickiness keeps a conversation
      // on one, and only shared health keeps an instance away from a cooling account).
      for (const [i, apiKey] of ACCOUNT_KEYS.entries()) {
        accounts.push(await core.accounts.create({ kind: 'anthropic-api', name: `acct-${i}`, baseUrl: fake.url, secrets: { apiKey } }));
      }
    });
  });
  after(async () => {
    if (skip) return;
    await relays?.close();
    await fake?.close();
    await dropPrefix(prefix);
    cleanupTempDirs();
  });

  const newKey = async (limits: Record<string, unknown> = {}) => {
    const { record, key } = await relays.core.keys.create({ name: `scale-${Math.random().toString(36).slice(2, 8)}`, limits });
    return { id: record.id, key };
  };
  const accountOf = (apiKey: string | undefined) => ACCOUNT_KEYS.indexOf(apiKey ?? '');

  test('concurrency: 9 simultaneous requests over 3 instances, limit 3 → exactly 3 served, 6 refused with 429', { skip: skip ?? false }, async () => {
    const k = await newKey({ concurrencyLimit: 3 });
    fake.reset();
    fake.setDefault({ kind: 'reply', headersDelayMs: 1200 });
    const outcomes = await Promise.all(Array.from({ length: 9 }, () => sendMessage(relays.next(), { key: k.key })));
    const ok = outcomes.filter((o) => o.kind === 'ok');
    const refused = outcomes.filter((o) => o.status === 429);
    assert.equal(ok.length, 3, `served: ${outcomes.map((o) => o.status).join(',')}`);
    assert.equal(refused.length, 6);
    for (const r of refused) assert.equal(r.errorType, 'rate_limit_error');
    // The slots come back when the requests end: three more are served at once, anywhere.
    fake.setDefault({ kind: 'reply' });
    const again = await Promise.all(Array.from({ length: 3 }, () => sendMessage(relays.next(), { key: k.key })));
    assert.deepEqual(
      again.map((o) => o.kind),
      ['ok', 'ok', 'ok'],
    );
  });

  test('rate window: 5 requests per minute over 3 instances → exactly 5 of 12 served, the rest 429 with retry-after', { skip: skip ?? false }, async () => {
    const k = await newKey({ rateLimitWindow: 1, rateLimitRequests: 5 });
    fake.reset();
    fake.setDefault({ kind: 'reply' });
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 12; i++) outcomes.push(await sendMessage(relays.next(), { key: k.key }));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      [...Array(5).fill(200), ...Array(7).fill(429)],
    );
    for (const o of outcomes.slice(5)) assert.ok(Number(o.retryAfter) > 0, 'retry-after on a window refusal');
  });

  test('daily cost cap: costs settled on any instance count on every instance', { skip: skip ?? false }, async () => {
    // claude-sonnet-4-5 at $3/M input, $15/M output: 100k input + 1k output = $0.315 per request; cap $1 → 4 served.
    const k = await newKey({ dailyCostLimitNanos: 1_000_000_000 });
    fake.reset();
    fake.setDefault({ kind: 'reply', usage: { input_tokens: 100_000, output_tokens: 1000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const o = await sendMessage(relays.next(), { key: k.key });
      statuses.push(o.status);
      if (o.status === 200) {
        // Costs settle after the answer: wait until this one counts (on the shared store) before the next.
        const want = statuses.filter((s) => s === 200).length * 315_000;
        for (const until = Date.now() + 5000; ;) {
          const rec = (await relays.core.store.apiKeys.get(k.id))!;
          const daily = (await readLimitUsage(relays.core.store, rec, Date.now(), TZ)).find((l) => l.kind === 'cost_daily');
          if ((daily?.used ?? 0) >= want) break; // micro-USD
          assert.ok(Date.now() < until, 'the cost was settled within 5 s');
          await sleep(20);
        }
      } else assert.equal(o.errorType, 'billing_error');
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 402, 402]);
  });

  test('sticky sessions: every turn of a conversation reaches the same account, whichever instance serves it', { skip: skip ?? false }, async () => {
    const k = await newKey();
    fake.reset();
    fake.setDefault({ kind: 'reply' });
    const sessions = Array.from({ length: 4 }, (_, i) => `6f1c2a6e-1d1b-4a4e-9b1e-00000000000${i}`);
    for (let turn = 0; turn < 6; turn++) {
      for (const s of sessions) {
        const o = await sendMessage(relays.next(), { key: k.key, session: s, text: `turn ${turn}` });
        assert.equal(o.kind, 'ok');
      }
      await sleep(50); // a person types between turns; the binding is written after each answer
    }
    const bySession = new Map<string, Set<number>>();
    for (const r of fake.requests) {
      const s = JSON.parse(r.json?.metadata?.user_id ?? '{}').session_id as string;
      if (!bySession.has(s)) bySession.set(s, new Set());
      bySession.get(s)!.add(accountOf(r.headers['x-api-key']));
    }
    assert.equal(bySession.size, 4);
    for (const [s, accts] of bySession) assert.equal(accts.size, 1, `conversation ${s} used accounts ${[...accts].join(',')}`);
    // Least-recently-used alone would have moved them around: all three accounts served some conversation turn.
    const used = new Set(fake.requests.map((r) => accountOf(r.headers['x-api-key'])));
    assert.ok(used.size >= 2, `conversations landed on more than one account (${[...used].join(',')})`);
  });

  test('usage totals in the store equal what the upstream reported, to the token (mixed load, all instances)', { skip: skip ?? false }, async () => {
    const k = await newKey();
    fake.reset();
    fake.setDefault({ kind: 'reply', usage: { cache_read_input_tokens: 13, cache_creation: { ephemeral_5m_input_tokens: 5, ephemeral_1h_input_tokens: 2 } } });
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        sendMessage(relays.next(), {
          key: k.key,
          stream: i % 2 === 0,
          text: 'word '.repeat(1 + (i % 17)),
          model: i % 3 ? 'claude-sonnet-4-5' : 'claude-haiku-4-5',
        }),
      ),
    );
    assert.ok(
      outcomes.every((o) => o.kind === 'ok'),
      outcomes
        .filter((o) => o.kind !== 'ok')
        .map((o) => `${o.status} ${o.body.slice(0, 200)}`)
        .join('\n'),
    );
    const reported = sumUsage(outcomes);
    // Each instance writes its usage in batches: wait until all 60 are in the store.
    let totals: any;
    for (const until = Date.now() + 5000; ;) {
      totals = (await queryUsageReport(relays.core.store, { keyId: k.id, granularity: 'day' }, Date.now(), TZ)).totals;
      if (totals.requests >= 60 || Date.now() > until) break;
      await sleep(50);
    }
    await sleep(300); // and nothing more arrives
    totals = (await queryUsageReport(relays.core.store, { keyId: k.id, granularity: 'day' }, Date.now(), TZ)).totals;
    assert.equal(totals.requests, 60);
    assert.equal(totals.input, reported.input);
    assert.equal(totals.output, reported.output);
    assert.equal(totals.cacheRead, reported.cacheRead);
    assert.equal(totals.cacheWrite5m + totals.cacheWrite1h, reported.cacheWrite);
    assert.equal(totals.cacheWrite5m, 60 * 5);
    assert.equal(totals.cacheWrite1h, 60 * 2);
    // Cost: the sum of each request's priced usage, as the request log holds it.
    const rows = await relays.core.store.usage.recentRequests(1000, { keyId: k.id });
    assert.equal(rows.length, 60);
    const pricing = loadPricing({ file: null });
    const expectedNanos = rows.reduce((s, r) => s + computeCost(r.usage, pricing.lookup(r.model)!.price).costNanos, 0);
    assert.equal(
      rows.reduce((s, r) => s + r.costNanos, 0),
      expectedNanos,
    );
    assert.ok(expectedNanos > 0);
    assert.equal(Math.round(totals.costUsd * 1e9), expectedNanos);
    // Requests spread over all three instances' pools (the fake saw every account that was routable).
    assert.equal(fake.requests.length, 60);
  });

  test('health: a 429 one instance sees routes the other two away from that account', { skip: skip ?? false }, async () => {
    const k = await newKey();
    fake.reset();
    fake.setDefault({ kind: 'reply' });
    // Whichever account instance 0 tries first answers 429.
    fake.enqueue({ kind: 'error', status: 429, retryAfter: 120 });
    const first = await sendMessage(relays.urls[0], { key: k.key });
    assert.equal(first.kind, 'ok', 'instance 0 failed over to another account');
    assert.equal(fake.requests.length, 2, 'one 429, one success');
    const limited = accountOf(fake.requests[0].headers['x-api-key']);
    const target = accounts[limited];
    // Every instance reports the same state for it.
    for (const url of relays.urls) {
      let state = '';
      for (const until = Date.now() + 3000; state !== 'rate_limited' && Date.now() < until;) {
        state = (await relays.admin(url, 'GET', `/accounts/${target.id}`)).json?.health?.state;
        if (state !== 'rate_limited') await sleep(50);
      }
      assert.equal(state, 'rate_limited', `instance ${url} sees the account rate-limited`);
    }
    fake.clearRequests();
    // Distinct first messages: distinct conversations, so no stickiness, only least-recently-used.
    for (let i = 0; i < 6; i++) assert.equal((await sendMessage(relays.urls[1 + (i % 2)], { key: k.key, text: `question ${i}` })).kind, 'ok');
    assert.equal(
      fake.requests.filter((r) => accountOf(r.headers['x-api-key']) === limited).length,
      0,
      'instances 1 and 2 never tried the rate-limited account',
    );
    assert.equal(new Set(fake.requests.map((r) => accountOf(r.headers['x-api-key']))).size, 2, 'they used both other accounts');
    // A reset on one instance clears it everywhere.
    assert.equal((await relays.admin(relays.urls[2], 'POST', `/accounts/${target.id}/reset-health`)).status, 200);
    for (const url of relays.urls) {
      let state = '';
      for (const until = Date.now() + 3000; state !== 'healthy' && Date.now() < until;) {
        state = (await relays.admin(url, 'GET', `/accounts/${target.id}`)).json?.health?.state;
        if (state !== 'healthy') await sleep(50);
      }
      assert.equal(state, 'healthy', `instance ${url} sees the reset`);
    }
  });
});
