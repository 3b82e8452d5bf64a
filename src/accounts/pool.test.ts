import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Account, AccountKind } from '../core/account.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../platform/logger.js';
import { createSecrets } from '../platform/secrets.js';
import { OPS, type ProviderDefaults } from '../providers/types.js';
import { rankAccounts } from '../scheduling/selector.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { AccountPool } from './pool.js';

const T0 = Date.UTC(2026, 0, 1);
const secrets = createSecrets('k'.repeat(32));

function account(id: string, kind: AccountKind, priority: number, createdAt: number, lastUsedAt: number | null): Account {
  return {
    id,
    kind,
    name: id,
    description: '',
    priority,
    schedulable: true,
    baseUrl: 'http://127.0.0.1:9',
    secrets: secrets.seal(JSON.stringify({ apiKey: 'sk-test-0123456789' })),
    proxy: null,
    shared: true,
    groupIds: [],
    supportedModels: [],
    modelMapping: {},
    expiresAt: null,
    maxConcurrency: 0,
    createdAt,
    updatedAt: createdAt,
    lastUsedAt,
  };
}

const spec = fc.record({
  // Few distinct priorities, creation times and last-used times, so that every tie-break is exercised.
  accounts: fc.array(
    fc.record({
      kind: fc.constantFrom<AccountKind>('anthropic-api', 'openai-api'),
      priority: fc.constantFrom(10, 50, 90),
      createdAt: fc.integer({ min: 0, max: 3 }),
      lastUsedAt: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
    }),
    { minLength: 1, maxLength: 12 },
  ),
  // Uses: which account (index modulo the count) and how far the clock moves first (0 = the same millisecond).
  uses: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 })), { maxLength: 40 }),
});

test("the pool keeps each operation's accounts in rank order as they are used, and never changes a list it handed out", async () => {
  await fc.assert(
    fc.asyncProperty(spec, async ({ accounts, uses }) => {
      const store = new SqliteStore({ file: ':memory:', pollMs: 0 });
      const clock = new ManualClock(T0);
      const pool = new AccountPool(store, secrets, {} as ProviderDefaults, clock, silentLogger());
      try {
        for (const [i, a] of accounts.entries())
          await store.accounts.create(account(`a${i}`, a.kind, a.priority, T0 + a.createdAt, a.lastUsedAt === null ? null : T0 + a.lastUsedAt));
        await pool.reload();
        const ops = [OPS.anthropicMessages, OPS.anthropicCountTokens, OPS.openaiResponses];
        const expected = (op: string) =>
          rankAccounts(
            pool.all().filter((e) => e.adapter.paths[op] !== undefined),
            (id) => pool.lastUsedAt(id) ?? 0,
          ).map((e) => e.id);
        for (const op of ops)
          assert.deepEqual(
            pool.serving(op).map((e) => e.id),
            expected(op),
          );
        for (const [pick, step] of uses) {
          const handedOut = ops.map((op) => pool.serving(op));
          const before = handedOut.map((l) => l.map((e) => e.id));
          clock.advance(step);
          pool.markUsed(`a${pick % accounts.length}`);
          for (const op of ops)
            assert.deepEqual(
              pool.serving(op).map((e) => e.id),
              expected(op),
              `rank order of ${op}`,
            );
          assert.deepEqual(
            handedOut.map((l) => l.map((e) => e.id)),
            before,
            'lists handed out before are unchanged',
          );
        }
      } finally {
        await pool.stop();
        await store.close();
      }
    }),
    { numRuns: 200 },
  );
});

test('a use that keeps an account in place hands out the same list (nothing copied)', async () => {
  const store = new SqliteStore({ file: ':memory:', pollMs: 0 });
  const clock = new ManualClock(T0);
  const pool = new AccountPool(store, secrets, {} as ProviderDefaults, clock, silentLogger());
  await store.accounts.create(account('only', 'anthropic-api', 50, T0, null));
  await store.accounts.create(account('other', 'anthropic-api', 90, T0, null));
  await pool.reload();
  const list = pool.serving(OPS.anthropicMessages);
  assert.deepEqual(
    list.map((e) => e.id),
    ['only', 'other'],
  );
  clock.advance(5);
  pool.markUsed('only');
  assert.equal(pool.serving(OPS.anthropicMessages), list);
  assert.equal(pool.servingOne(OPS.anthropicMessages, 'only')?.id, 'only');
  assert.equal(pool.servingOne(OPS.openaiResponses, 'only'), undefined, 'an account is offered only for what its kind serves');
  await pool.stop();
  await store.close();
});
