import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HealthReason } from './health-policy.js';
import { rankAccounts, selectAccounts, servesModel, upstreamModel, type CandidateAccount, type SelectionInput } from './selector.js';

const NOW = 1_000_000;
function acct(id: string, over: Partial<CandidateAccount> = {}): CandidateAccount {
  return {
    id,
    name: id,
    priority: 50,
    schedulable: true,
    shared: true,
    groupIds: [],
    supportedModels: [],
    modelMapping: {},
    expiresAt: null,
    maxConcurrency: 0,
    createdAt: 0,
    ...over,
  };
}
const reason = (over: Partial<HealthReason> = {}): HealthReason => ({
  code: 'rate_limited',
  message: 'x',
  source: 'upstream',
  since: NOW - 1,
  until: NOW + 60_000,
  ...over,
});

type RunInput = Partial<SelectionInput<CandidateAccount>> & { healthMap?: Record<string, HealthReason[]>; lastUsedAt?: (id: string) => number };

function run(accounts: CandidateAccount[], over: RunInput = {}) {
  const health = over.healthMap ?? {};
  const r = selectAccounts({
    model: 'claude-sonnet-5',
    family: 'sonnet',
    now: NOW,
    health: (id) => health[id] ?? [],
    inFlight: () => 0,
    ...over,
    accounts: rankAccounts(accounts, over.lastUsedAt ?? (() => 0)),
  });
  return {
    order: [...r.candidates].map((a) => a.id),
    excluded: Object.fromEntries(r.excluded().map((e) => [e.account.id, e.why.code])),
    bindingUnavailable: r.bindingUnavailable,
  };
}

const cases: {
  name: string;
  accounts: CandidateAccount[];
  input?: Record<string, unknown>;
  order: string[];
  excluded?: Record<string, string>;
  unavailable?: string;
}[] = [
  {
    name: 'priority, then least recently used, then creation',
    accounts: [acct('a', { priority: 10 }), acct('b', { priority: 5 }), acct('c', { priority: 10, createdAt: -1 })],
    order: ['b', 'c', 'a'],
  },
  {
    name: 'LRU breaks priority ties',
    accounts: [acct('a'), acct('b'), acct('c')],
    input: { lastUsedAt: (id: string) => ({ a: 30, b: 10, c: 20 })[id]! },
    order: ['b', 'c', 'a'],
  },
  {
    name: 'paused, expired, model-unsupported and dedicated accounts are left out with reasons',
    accounts: [
      acct('p', { schedulable: false }),
      acct('e', { expiresAt: NOW }),
      acct('m', { supportedModels: ['claude-opus-4-8'] }),
      acct('d', { shared: false }),
      acct('ok'),
    ],
    order: ['ok'],
    excluded: { p: 'paused', e: 'expired', m: 'model_unsupported', d: 'dedicated' },
  },
  {
    name: 'unhealthy accounts are skipped; expired reasons no longer count',
    accounts: [acct('sick'), acct('healed'), acct('ok', { priority: 60 })],
    input: { healthMap: { sick: [reason()], healed: [reason({ until: NOW })] } },
    order: ['healed', 'ok'],
    excluded: { sick: 'unhealthy' },
  },
  {
    name: 'a family-scoped limit blocks only that family',
    accounts: [acct('a')],
    input: { healthMap: { a: [reason({ modelFamily: 'opus' })] } },
    order: ['a'],
  },
  {
    name: 'a family-scoped limit blocks its family',
    accounts: [acct('a'), acct('b')],
    input: { model: 'claude-opus-4-8', family: 'opus', healthMap: { a: [reason({ modelFamily: 'opus' })] } },
    order: ['b'],
    excluded: { a: 'unhealthy' },
  },
  {
    name: 'an account at its concurrency cap waits',
    accounts: [acct('busy', { maxConcurrency: 2 }), acct('free', { priority: 90 })],
    input: { inFlight: (id: string) => (id === 'busy' ? 2 : 0) },
    order: ['free'],
    excluded: { busy: 'at_capacity' },
  },
  {
    name: 'the sticky account goes first when routable',
    accounts: [acct('a', { priority: 1 }), acct('b', { priority: 9 })],
    input: { stickyAccountId: 'b' },
    order: ['b', 'a'],
  },
  {
    name: 'an unroutable sticky account is not forced in',
    accounts: [acct('a'), acct('b')],
    input: { stickyAccountId: 'b', healthMap: { b: [reason()] } },
    order: ['a'],
    excluded: { b: 'unhealthy' },
  },
  {
    name: 'a dedicated binding uses only that account, even a non-shared one',
    accounts: [acct('a'), acct('d', { shared: false, priority: 99 })],
    input: { binding: { accountId: 'd' } },
    order: ['d'],
  },
  {
    name: 'an unavailable dedicated account without fallback: no candidates, and why',
    accounts: [acct('a'), acct('d', { shared: false })],
    input: { binding: { accountId: 'd' }, healthMap: { d: [reason()] } },
    order: [],
    excluded: { d: 'unhealthy' },
    unavailable: 'd',
  },
  {
    name: 'an unavailable dedicated account with fallback: the pool',
    accounts: [acct('a'), acct('d')],
    input: { binding: { accountId: 'd', allowFallback: true }, healthMap: { d: [reason()] } },
    order: ['a'],
    excluded: { d: 'unhealthy' },
  },
  { name: 'a missing dedicated account', accounts: [acct('a')], input: { binding: { accountId: 'gone' } }, order: [], unavailable: 'gone' },
  {
    name: 'a group binding: members only, shared or not',
    accounts: [acct('a', { groupIds: ['g1'] }), acct('b', { groupIds: ['g2'] }), acct('c', { groupIds: ['g1', 'g2'], shared: false })],
    input: { binding: { groupId: 'g1' } },
    order: ['a', 'c'],
    excluded: { b: 'not_in_group' },
  },
];

for (const c of cases) {
  test(c.name, () => {
    const r = run(c.accounts, c.input);
    assert.deepEqual(r.order, c.order);
    if (c.excluded) assert.deepEqual(r.excluded, c.excluded);
    assert.equal(r.bindingUnavailable?.accountId, c.unavailable);
  });
}

test('model support and mapping', () => {
  const vendor = acct('v', { modelMapping: { 'claude-sonnet-5': 'vendor-sonnet' }, supportedModels: ['claude-haiku-4-5'] });
  assert.equal(servesModel(vendor, 'claude-sonnet-5'), true);
  assert.equal(servesModel(vendor, 'CLAUDE-HAIKU-4-5'), true);
  assert.equal(servesModel(vendor, 'claude-opus-4-8'), false);
  assert.equal(servesModel(acct('any'), 'whatever'), true);
  assert.equal(upstreamModel(vendor, 'claude-sonnet-5'), 'vendor-sonnet');
  assert.equal(upstreamModel(vendor, 'Claude-Sonnet-5'), 'vendor-sonnet');
  assert.equal(upstreamModel(vendor, 'claude-haiku-4-5'), 'claude-haiku-4-5');
});

test('candidates are judged as they are asked for: the first routable account costs one look, however large the pool', () => {
  const accounts = rankAccounts(
    Array.from({ length: 200 }, (_, i) => acct(`a${i}`, { createdAt: i })),
    () => 0,
  );
  const looked: string[] = [];
  const sel = selectAccounts({
    accounts,
    model: 'claude-sonnet-5',
    family: 'sonnet',
    now: NOW,
    health: (id) => (looked.push(id), id === 'a0' ? [reason()] : []),
    inFlight: () => 0,
  });
  assert.equal(sel.candidates.next().value?.id, 'a1');
  assert.deepEqual(looked, ['a0', 'a1'], 'the unhealthy head and the first routable account, nothing more');
  assert.equal(sel.candidates.next().value?.id, 'a2');
  assert.deepEqual(
    sel.excluded().map((e) => [e.account.id, e.why.code]),
    [['a0', 'unhealthy']],
    'the full pass, when asked for',
  );
});
