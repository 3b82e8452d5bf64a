import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { Account } from '../core/account.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../platform/logger.js';
import { createSecrets } from '../platform/secrets.js';
import type { ProviderAdapter, ProviderDefaults } from '../providers/types.js';
import { anthropicTest, anthropicWire, PATHS } from '../providers/anthropic-api/wire.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { PoolAccount } from './pool.js';
import { Credentials } from './credentials.js';

const T0 = Date.UTC(2026, 0, 1);
type S = { token: string; exp: number };
const secrets = createSecrets('k'.repeat(32));

/** An adapter whose refresh counts its calls and issues `token-<n>` valid for an hour. */
function adapter(opts: { fail?: boolean; delayMs?: number } = {}) {
  const calls: S[] = [];
  const a: ProviderAdapter<S> = {
    kind: 'anthropic-oauth',
    protocol: 'anthropic',
    wire: anthropicWire,
    paths: PATHS,
    test: anthropicTest,
    secretsSchema: z.object({ token: z.string(), exp: z.number() }),
    defaultBaseUrl: () => 'http://x',
    applyAuth: () => undefined,
    secretHint: () => '',
    classify: () => ({ kind: 'unauthorized', reason: '' }),
    refresh: {
      due: (s, now) => s.exp - now <= 60_000,
      async run(s, ctx) {
        calls.push(s);
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        if (opts.fail) throw new Error('invalid_grant');
        return { token: `token-${calls.length}`, exp: ctx.now + 3600_000 };
      },
    },
  };
  return { adapter: a as ProviderAdapter, calls };
}

async function setup(s: S, ad: ProviderAdapter, opts: { waitMs?: number } = {}) {
  const store = new SqliteStore({ file: ':memory:', pollMs: 0 });
  const clock = new ManualClock(T0);
  const account: Account = {
    id: 'acc1',
    kind: 'anthropic-oauth',
    name: 'sub',
    description: '',
    priority: 50,
    schedulable: true,
    baseUrl: null,
    secrets: secrets.seal(JSON.stringify(s)),
    proxy: null,
    shared: true,
    groupIds: [],
    supportedModels: [],
    modelMapping: {},
    expiresAt: null,
    maxConcurrency: 0,
    createdAt: T0,
    updatedAt: T0,
    lastUsedAt: null,
  };
  await store.accounts.create(account);
  const entry = { id: 'acc1', account, adapter: ad, secrets: s, proxyUrl: null } as unknown as PoolAccount;
  const deps = { store, secrets, clock, log: silentLogger(), defaults: {} as ProviderDefaults, fetchFor: () => fetch, waitMs: opts.waitMs ?? 500, pollMs: 10 };
  return { store, clock, entry, deps, creds: new Credentials(deps) };
}

test('not due: the loaded credentials, no store access; due: refreshed once and saved in one sealed write', async () => {
  const { adapter: ad, calls } = adapter();
  const { store, clock, entry, creds } = await setup({ token: 'token-0', exp: T0 + 3600_000 }, ad);
  assert.deepEqual(await creds.current(entry), { token: 'token-0', exp: T0 + 3600_000 });
  clock.advance(3600_000 - 30_000);
  assert.deepEqual(await creds.current(entry), { token: 'token-1', exp: clock.now() + 3600_000 });
  assert.equal(calls.length, 1);
  const stored = await store.accounts.get('acc1');
  assert.deepEqual(JSON.parse(secrets.open(stored!.secrets)), { token: 'token-1', exp: clock.now() + 3600_000 });
  assert.equal(stored!.updatedAt, clock.now());
  assert.deepEqual(await creds.current(entry), { token: 'token-1', exp: clock.now() + 3600_000 }, 'the stale pool entry is not used again');
  assert.equal(calls.length, 1);
  assert.equal(await store.kv.get('lock:refresh:acc1'), null, 'lock released');
  await store.close();
});

test('callers in one process share one in-flight refresh', async () => {
  const { adapter: ad, calls } = adapter({ delayMs: 50 });
  const { store, entry, creds } = await setup({ token: 'token-0', exp: T0 }, ad);
  const got = await Promise.all([creds.current(entry), creds.current(entry), creds.refreshAfterUnauthorized(entry)]);
  assert.equal(calls.length, 1);
  assert.ok(got.every((s) => (s as S).token === 'token-1'));
  await store.close();
});

test('another holder of the lock: wait, then use what it stored instead of refreshing', async () => {
  const { adapter: ad, calls } = adapter();
  const { store, clock, entry, creds } = await setup({ token: 'token-0', exp: T0 }, ad);
  assert.equal(await store.kv.setIfAbsent('lock:refresh:acc1', 'other-instance', 10_000), true);
  const waiting = creds.current(entry);
  await new Promise((r) => setTimeout(r, 50));
  await store.accounts.update('acc1', {
    secrets: secrets.seal(JSON.stringify({ token: 'from-other', exp: clock.now() + 3600_000 })),
    updatedAt: clock.now() + 1,
  });
  await store.kv.deleteIfEquals('lock:refresh:acc1', 'other-instance');
  assert.deepEqual(await waiting, { token: 'from-other', exp: clock.now() + 3600_000 });
  assert.equal(calls.length, 0);
  await store.close();
});

test('a holder that never finishes: bounded wait; the request goes on with what it has', async () => {
  const { adapter: ad, calls } = adapter();
  const { store, entry, creds } = await setup({ token: 'token-0', exp: T0 + 30_000 }, ad, { waitMs: 100 });
  await store.kv.setIfAbsent('lock:refresh:acc1', 'stuck', 60_000);
  const started = Date.now();
  assert.deepEqual(await creds.current(entry), { token: 'token-0', exp: T0 + 30_000 });
  assert.ok(Date.now() - started < 1000);
  assert.equal(calls.length, 0);
  await store.close();
});

test('a failed refresh is not retried for a while; after a 401 it is refused (null)', async () => {
  const { adapter: ad, calls } = adapter({ fail: true });
  const { store, clock, entry, creds } = await setup({ token: 'token-0', exp: T0 }, ad);
  assert.deepEqual(await creds.current(entry), { token: 'token-0', exp: T0 }, 'falls back to the current token');
  assert.equal(await creds.refreshAfterUnauthorized(entry), null);
  assert.equal(calls.length, 1);
  clock.advance(31_000);
  assert.equal(await creds.refreshAfterUnauthorized(entry), null);
  assert.equal(calls.length, 2, 'tried again after the back-off');
  await assert.rejects(creds.forceRefresh(entry), /invalid_grant/, 'an operator sees the error');
  await store.close();
});

test('after a 401, credentials another instance already replaced are used without refreshing', async () => {
  const { adapter: ad, calls } = adapter();
  const { store, clock, entry, creds } = await setup({ token: 'token-0', exp: T0 + 3600_000 }, ad);
  await store.accounts.update('acc1', { secrets: secrets.seal(JSON.stringify({ token: 'newer', exp: T0 + 7200_000 })), updatedAt: clock.now() + 5 });
  assert.deepEqual(await creds.refreshAfterUnauthorized(entry), { token: 'newer', exp: T0 + 7200_000 });
  assert.equal(calls.length, 0);
  assert.deepEqual(await creds.refreshAfterUnauthorized(entry), { token: 'token-1', exp: clock.now() + 3600_000 }, 'rejected again: now it refreshes');
  await store.close();
});

test('kinds without refresh: the loaded credentials, and null after a 401', async () => {
  const { adapter: ad } = adapter();
  const noRefresh = { ...ad, refresh: undefined } as ProviderAdapter;
  const { store, entry, creds } = await setup({ token: 'static', exp: 0 }, noRefresh);
  assert.deepEqual(await creds.current(entry), { token: 'static', exp: 0 });
  assert.equal(await creds.refreshAfterUnauthorized(entry), null);
  await store.close();
});
