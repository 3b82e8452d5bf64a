// API keys with limits: every refusal (status, error type, message, retry-after) through the real relay and the
// SDK; concurrency and window exactness under load; activation expiry; enforcement across two instances on Redis;
// the key-holder endpoint.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { ManualClock } from '../src/core/clock.js';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, startRelayPair, type RelayPair, type TestRelay } from './support/harness.js';
import { redisSkipReason } from './support/redis.js';

const MSG = { model: 'claude-sonnet-5', max_tokens: 16, messages: [{ role: 'user' as const, content: 'hi' }] };
const CLAUDE_CODE_HEADERS = { 'user-agent': 'claude-cli/2.1.197 (external, sdk-cli)', 'x-app': 'cli', 'anthropic-beta': 'claude-code-20250219' };

async function post(url: string, key: string, body: object = MSG, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // SSE
  }
  return { status: res.status, json, text, retryAfter: res.headers.get('retry-after') };
}

/** Runs `n` requests at once; returns their statuses and the most the upstream ever had open at the same time. */
async function burst(fake: FakeUpstream, n: number, send: () => Promise<{ status: number }>) {
  let maxOpen = 0;
  let done = false;
  const watcher = (async () => {
    while (!done) {
      maxOpen = Math.max(maxOpen, fake.openResponses());
      await new Promise((r) => setImmediate(r));
    }
  })();
  const results = await Promise.all(Array.from({ length: n }, send));
  done = true;
  await watcher;
  return { statuses: results.map((r) => r.status), maxOpen };
}

describe('key limits (SQLite)', () => {
  let fake: FakeUpstream;
  let t: TestRelay;

  before(async () => {
    fake = await createFakeUpstream();
    t = await startRelay();
    await t.addAccount(fake.url);
  });
  after(async () => {
    await t.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  const refusals: {
    name: string;
    limits: Record<string, unknown>;
    setup?: (t: TestRelay, key: string) => Promise<void>;
    body?: object;
    headers?: Record<string, string>;
    status: number;
    type: string;
    message: RegExp;
    retryAfter?: (v: number) => boolean;
  }[] = [
    { name: 'service permission', limits: { permissions: ['openai'] }, status: 403, type: 'permission_error', message: /may not call the claude API/ },
    {
      name: 'model blacklist',
      limits: { enableModelRestriction: true, restrictedModels: ['claude-sonnet-5'] },
      status: 403,
      type: 'permission_error',
      message: /may not use the model claude-sonnet-5/,
    },
    {
      name: 'model whitelist',
      limits: { enableModelRestriction: true, modelRestrictionMode: 'whitelist', restrictedModels: ['claude-opus-4-8'] },
      status: 403,
      type: 'permission_error',
      message: /may not use the model/,
    },
    {
      name: 'client restriction: the SDK is not Claude Code',
      limits: { enableClientRestriction: true, allowedClients: ['claude_code'] },
      status: 403,
      type: 'permission_error',
      message: /allowed clients|only be used from: claude_code/,
    },
    {
      name: 'client restriction: an unknown client',
      limits: { enableClientRestriction: true, allowedClients: ['gemini_cli', 'codex_cli'] },
      headers: { 'user-agent': 'curl/8' },
      status: 403,
      type: 'permission_error',
      message: /gemini_cli, codex_cli/,
    },
    {
      name: 'rate window: requests',
      limits: { rateLimitWindow: 1, rateLimitRequests: 1 },
      setup: async (t, key) => void (await post(t.url, key)),
      status: 429,
      type: 'rate_limit_error',
      message: /1 requests per 1 minute/,
      retryAfter: (v) => v > 50 && v <= 60,
    },
    {
      name: 'daily cost',
      limits: { dailyCostLimit: 0.000001 },
      setup: async (t, key) => {
        await post(t.url, key);
        await t.relay.recorder.drain();
      },
      status: 402,
      type: 'billing_error',
      message: /Daily cost limit of \$0.000001 reached; resets at/,
      retryAfter: (v) => v > 0 && v <= 86_400,
    },
    {
      name: 'total cost',
      limits: { totalCostLimit: 0.000001 },
      setup: async (t, key) => {
        await post(t.url, key);
        await t.relay.recorder.drain();
      },
      status: 402,
      type: 'billing_error',
      message: /Total cost limit/,
    },
    {
      name: 'weekly cost of the model family',
      limits: { weeklyOpusCostLimit: 0.000001, weeklyCostFamily: 'sonnet' },
      setup: async (t, key) => {
        await post(t.url, key);
        await t.relay.recorder.drain();
      },
      status: 402,
      type: 'billing_error',
      message: /Weekly sonnet cost limit/,
      retryAfter: (v) => v > 0 && v <= 7 * 86_400,
    },
    {
      name: 'token limit (no window: total)',
      limits: { tokenLimit: 5 },
      setup: async (t, key) => {
        await post(t.url, key);
        await t.relay.recorder.drain();
      },
      status: 402,
      type: 'billing_error',
      message: /Token limit of 5/,
    },
    {
      name: 'expired key',
      limits: {},
      setup: async (t, key) =>
        void (await t.admin('PATCH', `/api-keys/${(await t.relay.keys.list({})).items.find((k) => k.prefix === key.slice(0, 11))!.id}`, {
          expiresAt: '2020-01-01T00:00:00Z',
        })),
      status: 401,
      type: 'authentication_error',
      message: /expired/,
    },
  ];

  for (const c of refusals) {
    test(`refusal: ${c.name}`, async () => {
      const { key } = await t.createKey({ name: c.name, ...c.limits });
      if (c.setup) await c.setup(t, key);
      const callsBefore = fake.requests.length;
      const r = await post(t.url, key, c.body, c.headers);
      assert.equal(r.status, c.status, JSON.stringify(r.json));
      assert.equal(r.json.type, 'error');
      assert.equal(r.json.error.type, c.type);
      assert.match(r.json.error.message, c.message);
      if (c.retryAfter) assert.ok(c.retryAfter(Number(r.retryAfter)), `retry-after ${r.retryAfter}`);
      else if (c.status !== 429) assert.equal(r.retryAfter, null);
      assert.equal(fake.requests.length, callsBefore, 'a refused request never reaches the upstream');
    });
  }

  test('the SDK sees the refusals as its typed errors', async () => {
    const { key } = await t.createKey({ name: 'typed', rateLimitWindow: 1, rateLimitRequests: 1 });
    const sdk = new Anthropic({ baseURL: `${t.url}/api`, apiKey: key, maxRetries: 0 });
    await sdk.messages.create(MSG);
    await assert.rejects(sdk.messages.create(MSG), Anthropic.RateLimitError);
    const blocked = await t.createKey({ name: 'typed-403', enableModelRestriction: true, restrictedModels: ['claude-sonnet-5'] });
    const sdk2 = new Anthropic({ baseURL: `${t.url}/api`, apiKey: blocked.key, maxRetries: 0 });
    await assert.rejects(sdk2.messages.create(MSG), Anthropic.PermissionDeniedError);
    const ids: string[] = [];
    for await (const m of sdk2.models.list()) ids.push(m.id);
    assert.ok(ids.length > 0);
    assert.ok(!ids.includes('claude-sonnet-5'), 'blocked models are hidden from /v1/models');
  });

  test('the allowed client passes: Claude Code recognised from its User-Agent and request shape', async () => {
    const { key } = await t.createKey({ name: 'cc-only', enableClientRestriction: true, allowedClients: ['claude_code'] });
    const ok = await post(t.url, key, { ...MSG, stream: true }, CLAUDE_CODE_HEADERS);
    assert.equal(ok.status, 200);
    // count_tokens honours the client restriction (P8 item 7; the reference skips it): Claude Code passes, another
    // client does not.
    const countFrom = (headers: Record<string, string>) =>
      fetch(`${t.url}/api/v1/messages/count_tokens`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ model: 'claude-sonnet-5', messages: MSG.messages }),
      });
    assert.equal((await countFrom(CLAUDE_CODE_HEADERS)).status, 200);
    assert.equal((await countFrom({})).status, 403, 'count_tokens from another client is refused like any other call of a Claude-Code-only key');
  });

  test('concurrency 4 under 64 concurrent requests: never more than 4 in flight; the rest get 429 retry-after 1', async () => {
    const { key } = await t.createKey({ name: 'conc', concurrencyLimit: 4 });
    fake.setDefault({ kind: 'reply', stream: { delayMs: 15 } });
    const { statuses, maxOpen } = await burst(fake, 64, () => post(t.url, key, { ...MSG, stream: true }));
    assert.ok(maxOpen <= 4, `at most 4 open upstream, saw ${maxOpen}`);
    assert.ok(maxOpen >= 1);
    const ok = statuses.filter((s) => s === 200).length;
    assert.ok(ok >= 4, `${ok} succeeded`);
    assert.equal(ok + statuses.filter((s) => s === 429).length, 64, 'every other request was refused with 429');
    // slots come back: once all finished, 4 more fit
    const again = await burst(fake, 4, () => post(t.url, key, { ...MSG, stream: true }));
    assert.deepEqual(again.statuses, [200, 200, 200, 200]);
    const view = await t.admin('GET', `/api-keys/${(await t.relay.keys.list({ q: 'conc' })).items[0].id}`);
    const queue = { waiting: 0, entered: 0, served: 0, timeouts: 0, cancelled: 0, rejected: 0, waitMsTotal: 0 };
    assert.deepEqual(
      view.json.limits.find((l: any) => l.kind === 'concurrency'),
      { kind: 'concurrency', limit: 4, used: 0, ratio: 0, resetsAt: null, queue },
    );
  });

  test('a client that disconnects releases its concurrency slot', async () => {
    const { key } = await t.createKey({ name: 'conc-abort', concurrencyLimit: 1 });
    fake.enqueue({ kind: 'reply', stream: { delayMs: 200 } });
    const ac = new AbortController();
    const res = await fetch(`${t.url}/api/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ ...MSG, stream: true }),
      signal: ac.signal,
    });
    assert.equal(res.status, 200);
    assert.equal((await post(t.url, key)).status, 429, 'the slot is taken while streaming');
    ac.abort();
    await fake.waitForAborted(1, 3000);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await post(t.url, key)).status, 200, 'the slot was released on disconnect');
  });

  test('a rate window of N requests admits exactly N under concurrency', async () => {
    const { key } = await t.createKey({ name: 'window', rateLimitWindow: 1, rateLimitRequests: 7 });
    const { statuses } = await burst(fake, 30, () => post(t.url, key));
    assert.equal(statuses.filter((s) => s === 200).length, 7);
    assert.equal(statuses.filter((s) => s === 429).length, 23);
  });

  test('cost caps: checked before the call, settled after it; overshoot bounded by what was in flight', async () => {
    const { key, id } = await t.createKey({ name: 'cost', dailyCostLimit: 0.05 });
    // each request costs input 10k × $2/M + output 1k × $10/M = $0.03 on claude-sonnet-5
    fake.setDefault({ kind: 'reply', usage: { input_tokens: 10_000, output_tokens: 1_000 } });
    assert.equal((await post(t.url, key)).status, 200);
    await t.recorded(id, 1);
    assert.equal((await post(t.url, key)).status, 200, '$0.03 < $0.05: allowed');
    await t.recorded(id, 2);
    const third = await post(t.url, key);
    assert.equal(third.status, 402, '$0.06 ≥ $0.05: refused');
    const view = await t.admin('GET', `/api-keys/${id}`);
    const daily = view.json.limits.find((l: any) => l.kind === 'cost_daily');
    assert.equal(daily.used, 60_000, 'micro-USD');
    assert.equal(daily.limit, 50_000);
    // an operator reset clears the counters
    await t.admin('POST', `/api-keys/${id}/reset-counters`);
    assert.equal((await post(t.url, key)).status, 200);
  });

  test('a key used without limits, then given a cost cap below what it spent, is refused at once', async () => {
    const { key, id } = await t.createKey({ name: 'late-cap' });
    fake.setDefault({ kind: 'reply', usage: { input_tokens: 10_000, output_tokens: 1_000 } });
    assert.equal((await post(t.url, key)).status, 200); // $0.03
    await t.recorded(id, 1);
    await t.admin('PATCH', `/api-keys/${id}`, { totalCostLimit: 0.02, dailyCostLimit: 1 });
    const r = await post(t.url, key);
    assert.equal(r.status, 402, 'past spending counts toward the new cap');
    const view = (await t.admin('GET', `/api-keys/${id}`)).json;
    assert.equal(view.limits.find((l: any) => l.kind === 'cost_total').used, 30_000);
    assert.equal(view.limits.find((l: any) => l.kind === 'cost_daily').used, 30_000);
  });

  test('binding: a key bound to an account uses only it; bound to a group, only its members', async () => {
    const other = await createFakeUpstream();
    try {
      const dedicated = await t.addAccount(other.url, { name: 'dedicated', shared: false });
      const { key } = await t.createKey({ name: 'bound', claudeAccountId: dedicated.id });
      await post(t.url, key);
      assert.equal(other.requests.length, 1, 'the dedicated (non-shared) account served it');
      const g = (await t.admin('POST', '/groups', { name: 'vip' })).json;
      await t.admin('PUT', `/groups/${g.id}/members`, { add: [dedicated.id] });
      await t.relay.pool.reload();
      const grouped = await t.createKey({ name: 'grouped', claudeAccountId: `group:${g.id}` });
      await post(t.url, grouped.key);
      assert.equal(other.requests.length, 2);
      // a key in the shared pool never lands on the dedicated account
      const pool = await t.createKey({ name: 'pool' });
      const before = fake.requests.length;
      await post(t.url, pool.key);
      assert.equal(other.requests.length, 2);
      assert.equal(fake.requests.length, before + 1);
      // the dedicated account down and no fallback: a clear 503
      await t.admin('PATCH', `/accounts/${dedicated.id}`, { schedulable: false });
      await t.relay.pool.reload();
      const down = await post(t.url, key);
      assert.equal(down.status, 503);
      assert.match(down.json.error.message, /bound to is unavailable \(paused\)/);
    } finally {
      await other.close();
    }
  });

  test('validation: wrong types and cross-field rules are 400 with field errors', async () => {
    const bad = await t.admin('POST', '/api-keys', {
      name: 'x',
      concurrencyLimit: '4',
      permissions: ['claude', 'bogus'],
      weeklyResetDay: 8,
      allowedClients: ['cursor'],
    });
    assert.equal(bad.status, 400);
    const paths = bad.json.error.details.map((d: any) => d.path.split('.')[0]).sort();
    assert.deepEqual([...new Set(paths)], ['allowedClients', 'concurrencyLimit', 'permissions', 'weeklyResetDay']);
    const cross = await t.admin('POST', '/api-keys', { name: 'y', expirationMode: 'activation', rateLimitRequests: 5, enableClientRestriction: true });
    assert.equal(cross.status, 400);
    assert.deepEqual(cross.json.error.details.map((d: any) => d.path).sort(), ['activationDays', 'allowedClients', 'rateLimitWindow']);
  });

  test('settings round-trip with the reference field names, real numbers and booleans', async () => {
    const fields = {
      concurrencyLimit: 3,
      rateLimitWindow: 60,
      rateLimitRequests: 100,
      rateLimitCost: 2.5,
      tokenLimit: 1_000_000,
      dailyCostLimit: 10,
      totalCostLimit: 100,
      weeklyOpusCostLimit: 30,
      weeklyCostFamily: 'opus',
      weeklyResetDay: 3,
      weeklyResetHour: 9,
      permissions: ['claude'],
      enableModelRestriction: true,
      restrictedModels: ['claude-opus-4-8'],
      enableClientRestriction: true,
      allowedClients: ['claude_code', 'codex_cli'],
      dedicatedFallback: true,
    };
    const created = await t.admin('POST', '/api-keys', { name: 'roundtrip', tags: ['t'], owner: 'alice', ...fields });
    assert.equal(created.status, 201);
    const got = (await t.admin('GET', `/api-keys/${created.json.id}`)).json;
    for (const [k, v] of Object.entries(fields)) assert.deepEqual(got[k], v, k);
    assert.equal(got.owner, 'alice');
    // USD on the wire, integer nano-USD in the record.
    const stored = (await t.relay.store.apiKeys.get(created.json.id))!.limits;
    assert.deepEqual(
      [stored.rateLimitCostNanos, stored.dailyCostLimitNanos, stored.totalCostLimitNanos, stored.weeklyOpusCostLimitNanos],
      [2_500_000_000, 10e9, 100e9, 30e9],
    );
    const patched = (await t.admin('PATCH', `/api-keys/${created.json.id}`, { concurrencyLimit: 0, enableModelRestriction: false })).json;
    assert.equal(patched.concurrencyLimit, 0);
    assert.equal(patched.enableModelRestriction, false);
    assert.equal(patched.rateLimitRequests, 100, 'other limits untouched by a patch');
  });

  test('batch create: up to 500 keys, every key returned once', async () => {
    const r = await t.admin('POST', '/keys/batch-create', { baseName: 'team', count: 25, settings: { dailyCostLimit: 5, tags: ['batch'] } });
    assert.equal(r.status, 201);
    assert.equal(r.json.items.length, 25);
    assert.equal(new Set(r.json.items.map((i: any) => i.key)).size, 25);
    const one = (await t.admin('GET', `/api-keys/${r.json.items[0].id}`)).json;
    assert.equal(one.dailyCostLimit, 5);
    assert.equal(one.key, undefined);
    assert.equal((await t.admin('POST', '/keys/batch-create', { baseName: 'x', count: 501 })).status, 400);
  });

  test('soft delete, restore and permanent delete', async () => {
    const { key, id } = await t.createKey({ name: 'lifecycle' });
    assert.equal((await post(t.url, key)).status, 200);
    await t.admin('DELETE', `/api-keys/${id}`);
    assert.equal((await post(t.url, key)).status, 401);
    assert.equal((await t.admin('POST', `/keys/${id}/restore`)).json.status, 'active');
    assert.equal((await post(t.url, key)).status, 200);
    await t.admin('DELETE', `/api-keys/${id}`);
    assert.equal((await t.admin('DELETE', `/api-keys/${id}?permanent=true`)).status, 204);
    assert.equal((await t.admin('GET', `/api-keys/${id}`)).status, 404);
  });

  test('key-holder endpoint: own limits, window, usage today/month/total, expiry — nothing else; rate-limited', async () => {
    const { key, id } = await t.createKey({ name: 'holder', rateLimitWindow: 60, rateLimitRequests: 50, dailyCostLimit: 20 });
    await post(t.url, key);
    await t.recorded(id, 1);
    for (const res of [
      await fetch(`${t.url}/api/v1/key-info`, { headers: { authorization: `Bearer ${key}` } }),
      await fetch(`${t.url}/api/v1/key-info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) }),
    ]) {
      assert.equal(res.status, 200);
      const info = (await res.json()) as any;
      assert.equal(info.name, 'holder');
      assert.equal(info.usage.today.requests, 1);
      assert.equal(info.usage.month.requests, 1);
      assert.equal(info.usage.all.requests, 1);
      assert.ok(info.lastUsedAt, 'last used is shown');
      const win = info.limits.find((l: any) => l.kind === 'window_requests');
      assert.equal(win.used, 1);
      assert.equal(win.limit, 50);
      assert.ok(win.resetsAt);
      const text = JSON.stringify(info);
      for (const secret of [key, 'sk-ant', 'accountId', 'baseUrl']) assert.ok(!text.includes(secret), `no ${secret}`);
    }
    const bad = await fetch(`${t.url}/api/v1/key-info`, { headers: { 'x-api-key': `cr_${'0'.repeat(64)}` } });
    assert.equal(bad.status, 401);
    // guessing is rate-limited per address
    let limited = 0;
    for (let i = 0; i < 130; i++)
      if ((await fetch(`${t.url}/api/v1/key-info`, { headers: { 'x-api-key': `cr_${String(i).padStart(64, '0')}` } })).status === 429) limited++;
    assert.ok(limited > 0, 'guesses beyond the limit get 429');
  });
});

describe('activation expiry (first use starts the clock)', () => {
  test('not activated until used; then valid for N hours', async () => {
    const fake = await createFakeUpstream();
    const clock = new ManualClock(Date.now());
    const t = await startRelay({ clock });
    try {
      await t.addAccount(fake.url);
      const { key, id } = await t.createKey({ name: 'act', expirationMode: 'activation', activationDays: 2, activationUnit: 'hours' });
      assert.equal((await t.admin('GET', `/api-keys/${id}`)).json.status, 'not_activated');
      clock.advance(30 * 86_400_000); // unused keys do not age
      await t.login(); // the admin session does: it expires on the relay's clock like everything else
      assert.equal((await post(t.url, key)).status, 200);
      const v = (await t.admin('GET', `/api-keys/${id}`)).json;
      assert.equal(v.status, 'active');
      assert.equal(v.activatedAt, new Date(clock.now()).toISOString());
      assert.equal(v.effectiveExpiresAt, new Date(clock.now() + 2 * 3_600_000).toISOString());
      clock.advance(2 * 3_600_000 - 1000);
      assert.equal((await post(t.url, key)).status, 200);
      clock.advance(2000);
      const expired = await post(t.url, key);
      assert.equal(expired.status, 401);
      assert.match(expired.json.error.message, /expired/);
    } finally {
      await t.close();
      await fake.close();
    }
  });
});

describe('key limits across two relay instances on Redis', async () => {
  const skip = await redisSkipReason();
  let fake: FakeUpstream;
  let pair: RelayPair;
  let a: TestRelay;
  let b: TestRelay;

  before(async () => {
    if (skip) return;
    fake = await createFakeUpstream();
    pair = await startRelayPair();
    ({ a, b } = pair);
    await a.addAccount(fake.url);
    await b.relay.pool.reload();
  });
  after(async () => {
    if (skip) return;
    await pair.close();
    await fake.close();
  });

  test('concurrency and windows hold across instances', { skip: skip ?? false }, async () => {
    const { key } = await a.createKey({ name: 'shared-conc', concurrencyLimit: 3 });
    fake.setDefault({ kind: 'reply', stream: { delayMs: 15 } });
    let maxOpen = 0;
    let done = false;
    const watcher = (async () => {
      while (!done) {
        maxOpen = Math.max(maxOpen, fake.openResponses());
        await new Promise((r) => setImmediate(r));
      }
    })();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => post(i % 2 ? a.url : b.url, key, { ...MSG, stream: true })));
    done = true;
    await watcher;
    assert.ok(maxOpen <= 3, `at most 3 in flight across both instances, saw ${maxOpen}`);
    assert.ok(results.filter((r) => r.status === 200).length >= 3);
    assert.equal(results.filter((r) => r.status === 200 || r.status === 429).length, 40);

    fake.reset();
    const w = await a.createKey({ name: 'shared-window', rateLimitWindow: 1, rateLimitRequests: 5 });
    const statuses = (await Promise.all(Array.from({ length: 16 }, (_, i) => post(i % 2 ? a.url : b.url, w.key)))).map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 5, 'exactly 5 across both');
  });

  test('a key edited on A (limits tightened) is enforced by B within a second', { skip: skip ?? false }, async () => {
    const { key, id } = await a.createKey({ name: 'edit' });
    assert.equal((await post(b.url, key)).status, 200);
    await a.admin('PATCH', `/api-keys/${id}`, { enableModelRestriction: true, restrictedModels: ['claude-sonnet-5'] });
    const start = Date.now();
    let status = 0;
    while (Date.now() - start < 1000) {
      status = (await post(b.url, key)).status;
      if (status === 403) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 403);
  });
});

describe('last used', () => {
  test('a key shows when it was last used, without the hot path writing the key', async () => {
    const fake = await createFakeUpstream();
    const t = await startRelay();
    try {
      await t.addAccount(fake.url);
      const { key, id } = await t.createKey({ name: 'lu' });
      assert.equal((await t.admin('GET', `/api-keys/${id}`)).json.lastUsedAt, null);
      const before = Date.now();
      await post(t.url, key);
      await t.recorded(id, 1);
      const at = Date.parse((await t.admin('GET', `/api-keys/${id}`)).json.lastUsedAt);
      assert.ok(at >= before - 5 && at <= Date.now());
      const listed = (await t.admin('GET', '/api-keys?q=lu')).json.items[0];
      assert.equal(Date.parse(listed.lastUsedAt), at);
      const stored = await t.relay.store.apiKeys.get(id);
      assert.equal(stored?.updatedAt, stored?.createdAt, 'the key record was not rewritten');
    } finally {
      await t.close();
      await fake.close();
    }
  });
});
