// The reference project's records (test/fixtures/crs) read and mapped: keys with their limits, accounts with their
// credentials and settings, usage rows that add up to the lifetime totals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrsCipher } from './crypto.js';
import { mapAccount } from './map-accounts.js';
import { mapApiKey } from './map-keys.js';
import { RESIDUAL_MODEL, usageRows } from './map-usage.js';
import { readSnapshot, type CrsSnapshot } from './read.js';
import { fileSource } from './source.js';

const FIX = join(import.meta.dirname, '../../../test/fixtures/crs');
const load = (f: string) => JSON.parse(readFileSync(join(FIX, f), 'utf8'));
const holders = load('holders.json') as { encryptionKey: string; ids: Record<string, string>; secrets: Record<string, string> };
const NOW = Date.parse('2026-07-22T00:00:00Z');
const snap = (f: string): Promise<CrsSnapshot> => readSnapshot(fileSource(load(f), f));

test('read: keys (not the hash map or indexes), accounts per type, groups, unsupported types counted', async () => {
  const s = await snap('redis-dump.json');
  assert.deepEqual(s.apiKeys.map((k) => k.fields.name).sort(), ['activation-carol', 'capped-bob', 'deleted-dave', 'legacy-erin', 'team-alpha']);
  assert.deepEqual(s.accounts.map((a) => a.type).sort(), ['claude', 'claude-console', 'gemini', 'gemini', 'gemini-api', 'openai', 'openai-responses']);
  assert.deepEqual(
    s.groups.map((g) => [g.fields.name, g.members.length]),
    [['claude-team', 2]],
  );
  assert.deepEqual(s.unsupported, [
    { type: 'CCR', count: 1 },
    { type: 'AWS Bedrock', count: 1 },
  ]);
  const alpha = s.apiKeys.find((k) => k.id === holders.ids.alpha)!;
  assert.equal(alpha.costTotal, 12.345678);
  assert.equal(alpha.usage.filter((u) => u.granularity === 'month' && u.model).length, 3);
  assert.deepEqual(alpha.usage.find((u) => u.granularity === 'hour')?.bucket, '2026-07-21T09');
});

test('keys: limits by their reference names, bindings without type prefixes, the reference hash kept', async () => {
  const s = await snap('redis-dump.json');
  const map = (n: string) => {
    const m = mapApiKey(
      s.apiKeys.find((k) => k.id === holders.ids[n])!,
      NOW,
    );
    assert.ok(!('skip' in m), JSON.stringify(m));
    return m;
  };
  const alpha = map('alpha').record;
  assert.match(alpha.hash, /^crs-sha256:[0-9a-f]{64}$/);
  assert.deepEqual(
    { ...alpha.limits },
    {
      ...alpha.limits,
      permissions: ['claude'],
      claudeAccountId: `group:${holders.ids.group}`,
      concurrencyLimit: 2,
      rateLimitWindow: 60,
      rateLimitRequests: 100,
      // USD there, nano-USD here.
      rateLimitCostNanos: 5_000_000_000,
      dailyCostLimitNanos: 20_000_000_000,
      totalCostLimitNanos: 100_000_000_000,
      weeklyOpusCostLimitNanos: 50_000_000_000,
      weeklyCostFamily: 'claude',
      weeklyResetDay: 3,
      weeklyResetHour: 9,
      enableModelRestriction: true,
      modelRestrictionMode: 'blacklist',
      restrictedModels: ['claude-opus-4-1'],
      expirationMode: 'fixed',
    },
  );
  assert.deepEqual([alpha.tags, alpha.owner, alpha.isActive, alpha.expiresAt], [['alpha', 'prod'], 'alice', true, Date.parse('2099-01-01T00:00:00Z')]);

  const carol = map('carol').record;
  assert.deepEqual([carol.limits.permissions, carol.limits.openaiAccountId, carol.limits.geminiAccountId], [[], holders.ids.responses, holders.ids.geminiApi]);
  assert.deepEqual(
    [carol.limits.expirationMode, carol.limits.activationDays, carol.limits.activatedAt, carol.expiresAt],
    ['activation', 30, Date.parse('2026-07-01T00:00:00Z'), null],
  );

  const erin = map('erin');
  assert.deepEqual(erin.record.limits.permissions, ['claude', 'gemini'], 'the legacy comma form');
  assert.equal(erin.record.limits.rateLimitRequests, 0, 'a request cap without a window never applied there');
  assert.deepEqual(erin.record.limits.allowedClients, ['claude_code']);
  assert.match(erin.warnings.join('\n'), /droid_cli are not recognised here/);

  const dave = map('dave').record;
  assert.deepEqual([dave.isActive, dave.deletedAt], [false, Date.parse('2026-07-02T00:00:00Z')]);

  const noHash = mapApiKey({ ...s.apiKeys[0], fields: { ...s.apiKeys[0].fields, apiKey: '' } }, NOW);
  assert.ok('skip' in noHash);
});

test('accounts: each type becomes a kind, credentials opened, settings and group membership kept', async () => {
  const s = await snap('redis-dump.json');
  const cipher = new CrsCipher(holders.encryptionKey);
  const of = (id: string, groups: string[] = []) =>
    mapAccount(
      s.accounts.find((a) => a.id === id)!,
      cipher,
      groups,
      NOW,
    );
  const claude = of(holders.ids.claude, [holders.ids.group]);
  assert.ok(!('skip' in claude));
  assert.deepEqual(
    [claude.account.kind, claude.account.shared, claude.account.priority, claude.account.groupIds, claude.account.proxy],
    ['anthropic-oauth', false, 10, [holders.ids.group], null],
  );
  assert.deepEqual(
    { ...claude.account.secrets },
    {
      accessToken: holders.secrets.claudeAccess,
      refreshToken: holders.secrets.claudeRefresh,
      expiresAt: Date.parse('2030-01-01T00:00:00Z'),
      scopes: ['user:inference', 'user:profile'],
      email: 'owner@example.com',
      plan: 'max',
      orgUuid: 'org-fixture',
      accountUuid: 'acct-fixture',
    },
  );

  const console = of(holders.ids.console);
  assert.ok(!('skip' in console));
  assert.equal(console.account.kind, 'anthropic-api');
  assert.equal(console.account.baseUrl, 'https://vendor.example/api');
  assert.deepEqual(console.account.secrets, { apiKey: holders.secrets.consoleKey });
  assert.equal(console.account.proxy, 'http://u%20s:p%40ss@proxy.intranet:3128');
  assert.deepEqual(
    [console.account.modelMapping, console.account.supportedModels, console.account.maxConcurrency],
    [{ 'claude-sonnet-4-5': 'vendor-sonnet' }, ['vendor-sonnet', 'claude-haiku-4-5'], 3],
  );
  assert.match(console.warnings.join('\n'), /state there was "blocked"/);
  assert.match(console.warnings.join('\n'), /daily quota \(\$20\)/);

  const openai = of(holders.ids.openai);
  assert.ok(!('skip' in openai));
  assert.deepEqual(
    [openai.account.kind, openai.account.shared, openai.account.secrets.accountId, openai.account.secrets.email, openai.account.secrets.plan],
    ['openai-oauth', false, 'chatgpt-acct-123', 'plus@example.com', 'plus'],
  );
  const responses = of(holders.ids.responses);
  assert.ok(!('skip' in responses));
  assert.deepEqual(
    [responses.account.kind, responses.account.baseUrl, responses.account.secrets.apiKey],
    ['openai-api', 'https://api.vendor.example/v1', holders.secrets.responsesKey],
  );
  const gemini = of(holders.ids.gemini);
  assert.ok(!('skip' in gemini));
  assert.deepEqual(
    [gemini.account.kind, gemini.account.schedulable, gemini.account.secrets.projectId, gemini.account.secrets.accessToken],
    ['gemini-oauth', false, 'fixture-project-42', holders.secrets.geminiAccess],
  );
  const geminiApi = of(holders.ids.geminiApi);
  assert.ok(!('skip' in geminiApi));
  assert.deepEqual([geminiApi.account.kind, geminiApi.account.baseUrl], ['gemini-api', 'https://generativelanguage.example']);
  const ag = of(holders.ids.antigravity);
  assert.ok('skip' in ag && /Antigravity/.test(ag.skip));
});

test('usage: month rows add up to the lifetime totals (the uncovered rest in the earliest month); days and hours kept', async () => {
  const s = await snap('redis-dump.json');
  const rows = usageRows(
    s.apiKeys.find((k) => k.id === holders.ids.alpha)!,
    '2026-05',
  );
  const months = rows.filter((r) => r.granularity === 'month');
  const total = (f: 'requests' | 'input' | 'output' | 'cacheRead' | 'cacheWrite5m' | 'cacheWrite1h' | 'costNanos') => months.reduce((n, r) => n + r[f], 0);
  assert.deepEqual(
    [
      total('requests'),
      total('input'),
      total('output'),
      total('cacheRead'),
      total('cacheWrite5m') + total('cacheWrite1h'),
      total('cacheWrite1h'),
      total('costNanos'),
    ],
    [40, 30000, 9000, 50000, 2000, 500, 12_345_678_000],
  );
  const rest = months.find((r) => r.model === RESIDUAL_MODEL)!;
  assert.deepEqual([rest.bucket, rest.requests, rest.costNanos], ['2026-06', 5, 1_500_000_000]);
  assert.deepEqual(
    rows
      .filter((r) => r.granularity === 'day')
      .map((r) => [r.bucket, r.model, r.requests])
      .sort(),
    [
      ['2026-07-20', 'claude-haiku-4-5', 2],
      ['2026-07-20', 'claude-sonnet-4-5', 3],
      ['2026-07-21', 'claude-sonnet-4-5', 2],
    ],
  );
  assert.deepEqual(
    rows.filter((r) => r.granularity === 'hour').map((r) => [r.bucket, r.requests]),
    [['2026-07-21T09', 2]],
  );
  assert.ok(rows.every((r) => r.accountId === '' && r.keyId === holders.ids.alpha));

  // Only lifetime totals and a cost total: one row in the key's creation month.
  const bob = usageRows(
    s.apiKeys.find((k) => k.id === holders.ids.bob)!,
    '2026-04',
  );
  assert.deepEqual(
    bob.map((r) => [r.granularity, r.bucket, r.model, r.requests, r.input, r.output, r.costNanos]),
    [['month', '2026-04', RESIDUAL_MODEL, 7, 7000, 700, 10_500_000_000]],
  );
});

test('the export file (data-transfer v2, decrypted) reads into the same records', async () => {
  const s = await snap('export.json');
  assert.equal(s.apiKeys.length, 5);
  assert.deepEqual(s.accounts.map((a) => a.type).sort(), ['claude', 'gemini']);
  const cipher = new CrsCipher(holders.encryptionKey);
  const claude = mapAccount(
    s.accounts.find((a) => a.type === 'claude')!,
    cipher,
    [],
    NOW,
  );
  assert.ok(!('skip' in claude));
  assert.equal(claude.account.secrets.accessToken, holders.secrets.claudeAccess);
  const alpha = s.apiKeys.find((k) => k.id === holders.ids.alpha)!;
  const months = usageRows(alpha, '2026-05').filter((r) => r.granularity === 'month');
  assert.equal(
    months.reduce((n, r) => n + r.requests, 0),
    40,
    'the totals of the export',
  );
  // The export carries no cost total: what the months do not cover has no cost.
  assert.equal(
    months.reduce((n, r) => n + r.costNanos, 0),
    10_845_678_000,
  );
});
