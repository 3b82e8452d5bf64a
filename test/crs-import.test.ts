// Migration from the reference project end to end (P10 item 5): its data (test/fixtures/crs) in a Redis key
// prefix of its own, `crs import --from-crs` (dry run first), then its key holders' keys work unchanged through the
// Anthropic SDK, their limits and usage totals came over, credentials were re-sealed, groups and bindings kept;
// the same from its export file; its bookmarked URLs redirect here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { CRS_HASH_PREFIX } from '../src/migrate/crs/crypto.js';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { crsCli, crsHolders, CRS_FIXTURES, loadCrsDump } from './support/crs.js';
import { startRelay, type TestRelay } from './support/harness.js';
import { eventually, oauthEnv, storedSecrets } from './support/oauth.js';
import { dropPrefix, redisSkipReason, testPrefix, TEST_REDIS_URL } from './support/redis.js';

const H = crsHolders();
const CRS_ENV = { CRS_ENCRYPTION_KEY: H.encryptionKey };

async function monthTotals(t: TestRelay, keyId: string) {
  const r = await t.admin('GET', `/usage?keyId=${keyId}&granularity=month&from=2026-01-01&to=2026-12-31`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.totals as { requests: number; costUsd: number; input: number; output: number; cacheRead: number };
}

const ask = (t: TestRelay, key: string) =>
  new Anthropic({ baseURL: `${t.url}/api`, apiKey: key, maxRetries: 0 }).messages.create({
    model: 'claude-sonnet-5',
    max_tokens: 16,
    messages: [{ role: 'user', content: 'after the migration' }],
  });

describe('crs import --from-crs (its Redis)', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let prefix: string;
  let skip: string | null = null;

  before(async () => {
    skip = await redisSkipReason();
    if (skip) return;
    prefix = testPrefix() + 'reference:';
    await loadCrsDump(prefix);
    fake = await createFakeUpstream();
    t = await startRelay({ env: oauthEnv(fake) });
  });
  after(async () => {
    if (skip) return;
    await t.close();
    await fake.close();
    await dropPrefix(prefix);
  });

  test('the dry run prints the plan and writes nothing', async (c) => {
    if (skip) return c.skip(skip);
    const r = await crsCli(t.dataDir, ['import', '--from-crs', '--redis-url', TEST_REDIS_URL, '--redis-prefix', prefix, '--dry-run'], CRS_ENV);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Dry run: nothing was written\. From Redis redis:\/\/.* \(prefix crs-test:.*reference:\):/);
    assert.match(r.stdout, /Account groups: 1 new/);
    assert.match(r.stdout, /Accounts: 6 new, 0 replaced, 0 already here, 1 skipped/);
    assert.match(r.stdout, /skipped\s+antigravity .*Antigravity/);
    assert.match(r.stdout, /API keys: 5 new/);
    assert.match(r.stdout, /new\s+team-alpha \(.*\), usage: \d+ rows, \$12\.3457 in total/);
    assert.match(r.stdout, /warning: 1 CCR account\(s\) not imported/);
    assert.equal((await t.admin('GET', '/accounts')).json.total, 0);
    assert.equal((await t.relay.store.apiKeys.list({ includeDeleted: true })).total, 0);
  });

  test('without the reference ENCRYPTION_KEY, or with a wrong one: refused, nothing written', async (c) => {
    if (skip) return c.skip(skip);
    const none = await crsCli(t.dataDir, ['import', '--from-crs', '--redis-url', TEST_REDIS_URL, '--redis-prefix', prefix]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /needs the reference project’s ENCRYPTION_KEY/);
    const wrong = await crsCli(t.dataDir, ['import', '--from-crs', '--redis-url', TEST_REDIS_URL, '--redis-prefix', prefix], {
      CRS_ENCRYPTION_KEY: 'w'.repeat(32),
    });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /cannot decrypt .* is it the reference project’s key/);
    assert.equal((await t.admin('GET', '/accounts')).json.total, 0);
  });

  test('import: keys work unchanged through the SDK, limits and usage totals came over, credentials re-sealed', async (c) => {
    if (skip) return c.skip(skip);
    const r = await crsCli(t.dataDir, ['import', '--from-crs', '--redis-url', TEST_REDIS_URL, '--redis-prefix', prefix], CRS_ENV);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Imported keys work unchanged/);
    await eventually(async () => assert.ok(t.relay.pool.get(H.ids.claude), 'the relay sees the imported accounts'), 5000);

    // Accounts: credentials opened with the reference key and sealed with ours; settings and groups kept.
    const console = await storedSecrets(t, H.ids.console);
    assert.deepEqual(console.secrets, { apiKey: H.secrets.consoleKey });
    assert.ok(!console.sealed.includes(H.secrets.consoleKey));
    const claude = (await t.admin('GET', `/accounts/${H.ids.claude}`)).json;
    assert.deepEqual(
      [claude.kind, claude.priority, claude.shared, claude.groupIds, claude.identity],
      ['anthropic-oauth', 10, false, [H.ids.group], { email: 'owner@example.com', plan: 'max' }],
    );
    const group = await t.admin('GET', `/groups/${H.ids.group}`);
    assert.equal(group.status, 200, JSON.stringify(group.json));
    assert.equal(group.json.name, 'claude-team');

    // Usage totals of team-alpha: every month row adds up to what the reference counted.
    const before = await monthTotals(t, H.ids.alpha);
    assert.equal(before.requests, 40);
    assert.ok(Math.abs(before.costUsd - 12.345678) < 1e-6, String(before.costUsd));

    // The holder's key, unchanged, through the official SDK: bound to the group, served by its subscription.
    const msg = await ask(t, H.keys.alpha);
    assert.equal(msg.type, 'message');
    assert.equal(fake.requests.at(-1)?.headers.authorization, `Bearer ${H.secrets.claudeAccess}`);
    const rec = (await t.relay.store.apiKeys.get(H.ids.alpha))!;
    assert.ok(!rec.hash.startsWith(CRS_HASH_PREFIX), 'now under this relay’s HMAC');
    assert.equal(rec.prefix, H.keys.alpha.slice(0, 11));
    assert.equal((await ask(t, H.keys.alpha)).type, 'message', 'and again, found by its new hash');
    await t.recorded(H.ids.alpha, 2);

    // Its limits (reference names) and the usage they count came over: the key-holder page shows them.
    const me = await fetch(`${t.url}/stats/api/me`, { headers: { 'x-api-key': H.keys.alpha } });
    const view = (await me.json()) as { limits: { kind: string; limit: number; used: number }[]; usage: { all: { costUsd?: number; requests: number } } };
    const total = view.limits.find((l) => l.kind === 'cost_total')!;
    assert.equal(total.limit, 100_000_000);
    assert.ok(total.used > 12_345_678, `total cost used ${total.used}: the imported $12.345678 and today's requests`);
    assert.equal(view.usage.all.requests, 42, JSON.stringify(view.usage.all));
    const key = (await t.admin('GET', `/api-keys/${H.ids.alpha}`)).json;
    assert.deepEqual(
      [
        key.concurrencyLimit,
        key.rateLimitWindow,
        key.rateLimitRequests,
        key.dailyCostLimit,
        key.weeklyOpusCostLimit,
        key.weeklyResetDay,
        key.restrictedModels,
        key.claudeAccountId,
        key.tags,
      ],
      [2, 60, 100, 20, 50, 3, ['claude-opus-4-1'], `group:${H.ids.group}`, ['alpha', 'prod']],
    );

    // capped-bob: $10.50 spent there against a $10 total cap: refused here as well, before any upstream call.
    const calls = fake.requests.length;
    await assert.rejects(ask(t, H.keys.bob), (e: { status?: number }) => e.status === 402);
    assert.equal(fake.requests.length, calls);
    // deleted-dave stays deleted.
    await assert.rejects(ask(t, H.keys.dave), (e: { status?: number }) => e.status === 401);
  });

  test('run again: everything is already here, usage is not added twice; --force replaces records, not usage', async (c) => {
    if (skip) return c.skip(skip);
    const before = await monthTotals(t, H.ids.alpha);
    const again = await crsCli(t.dataDir, ['import', '--from-crs', '--redis-url', TEST_REDIS_URL, '--redis-prefix', prefix], CRS_ENV);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Accounts: 0 new, 0 replaced, 6 already here/);
    assert.match(again.stdout, /API keys: 0 new, 0 replaced, 5 already here/);
    const forced = await crsCli(t.dataDir, ['import', '--from-crs', '--redis-url', TEST_REDIS_URL, '--redis-prefix', prefix, '--force', '--json'], CRS_ENV);
    assert.equal(forced.code, 0, forced.stderr);
    const report = JSON.parse(forced.stdout) as { apiKeys: { action: string; usageRows: number }[]; warnings: string[] };
    assert.ok(report.apiKeys.filter((k) => k.action !== 'skip').every((k) => k.action === 'replace' && k.usageRows === 0));
    assert.ok(report.warnings.some((w) => /usage was imported before/.test(w)));
    assert.deepEqual(await monthTotals(t, H.ids.alpha), before);
  });
});

describe('crs import --from-crs --file (its export) and its bookmarked addresses', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  before(async () => {
    fake = await createFakeUpstream();
    t = await startRelay({ env: oauthEnv(fake) });
  });
  after(async () => {
    await t.close();
    await fake.close();
  });

  test('the export file: accounts and keys come over, and a holder’s key works', async () => {
    const r = await crsCli(t.dataDir, ['import', '--from-crs', '--file', join(CRS_FIXTURES, 'export.json'), '--crs-encryption-key', H.encryptionKey]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Accounts: 2 new/);
    assert.match(r.stdout, /API keys: 5 new/);
    // (assert.ok with a message: without one, node's assert parses the test's source for it, slowly)
    await eventually(async () => assert.ok(t.relay.pool.get(H.ids.claude), 'the relay sees the imported accounts'), 5000);
    assert.equal((await monthTotals(t, H.ids.alpha)).requests, 40);
    // No group in this export: the key's group binding has nothing to route to, so it is rebound by hand.
    assert.match(r.stdout, /warning: team-alpha: bound to group:/);
    await t.admin('PATCH', `/api-keys/${H.ids.alpha}`, { claudeAccountId: H.ids.claude });
    await eventually(async () => assert.equal((await ask(t, H.keys.alpha)).type, 'message'), 5000);
    assert.equal(fake.requests.at(-1)?.headers.authorization, `Bearer ${H.secrets.claudeAccess}`);
  });

  test('/apiStats and /admin-next/… redirect to their pages here', async () => {
    const cases: [string, string][] = [
      ['/apiStats', '/web/stats'],
      ['/apiStats/', '/web/stats'],
      ['/admin-next', '/web/'],
      ['/admin-next/', '/web/'],
      ['/admin-next/api-stats', '/web/stats'],
      ['/admin-next/api-keys', '/web/keys'],
      ['/admin-next/api-keys/abc/usage-records', '/web/keys'],
      ['/admin-next/accounts', '/web/accounts'],
      ['/admin-next/request-details', '/web/requests'],
      ['/admin-next/settings', '/web/settings'],
      ['/admin-next/login', '/web/login'],
      ['/admin-next/something-new', '/web/'],
    ];
    for (const [from, to] of cases) {
      const res = await fetch(`${t.url}${from}`, { redirect: 'manual' });
      assert.equal(res.status, 301, from);
      assert.equal(res.headers.get('location'), to, from);
    }
    assert.equal((await fetch(`${t.url}/admin-next/api-keys`, { method: 'HEAD', redirect: 'manual' })).status, 301);
    assert.equal((await fetch(`${t.url}/apiStats/api/user-stats`, { method: 'POST', redirect: 'manual' })).status, 404, 'its JSON APIs are not redirected');
  });
});
