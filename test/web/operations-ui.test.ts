// Day-to-day operations in Chromium without the CLI: a group created and given a member through the transfer list
// (delete refused while it has members, naming them); the account drawer with its health history, recent errors
// and the last test (run from the drawer) and its scheduled test (saved, a bad cron refused, the runs listed); the
// key drawer with its recent errors; Settings › Relay behaviour and Data & retention.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { bucketLabels } from '../../src/core/time-buckets.js';
import type { UsageEvent } from '../../src/core/usage-event.js';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { ADMIN, startRelay, type TestRelay } from '../support/harness.js';
import { eventually } from '../support/oauth.js';
import { browserSkipReason, checkPage, ensureWebBuilt, launch, shot, watchedPage, type Watched } from './support/browser.js';

const skip = browserSkipReason();
const DESKTOP = { width: 1440, height: 900 };
const ACCOUNT_KEY = 'sk-ant-api03-ops-ui-account';

function failed(over: Partial<UsageEvent>): UsageEvent {
  const ts = Date.now() - 60_000;
  return {
    requestId: `req-${Math.random().toString(36).slice(2)}`,
    ts,
    keyId: 'k',
    accountId: null,
    model: 'claude-sonnet-4-5',
    endpoint: '/v1/messages',
    stream: false,
    status: 429,
    durationMs: 40,
    usage: { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 },
    costNanos: 0,
    partial: false,
    errorCode: 'rate_limit_error',
    buckets: bucketLabels(ts, 8),
    ...over,
  };
}

describe('Operations in the UI: groups, drawers, retention', { skip: skip ?? false }, () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let browser: Browser;
  let ctx: BrowserContext;
  let w: Watched;
  let page: Page;
  let alpha = '';
  let beta = '';
  let keyId = '';

  before(async () => {
    ensureWebBuilt();
    fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY] });
    t = await startRelay();
    alpha = (await t.addAccount(fake.url, { name: 'alpha', apiKey: ACCOUNT_KEY })).id;
    beta = (await t.addAccount(fake.url, { name: 'beta', apiKey: ACCOUNT_KEY })).id;
    keyId = (await t.createKey({ name: 'ops key' })).id;
    browser = await launch();
    ctx = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
    // The refused group delete answers 409; the refused cron 400.
    w = await watchedPage(
      ctx,
      (url, status) =>
        (status === 401 && url.includes('/admin/session')) ||
        (status === 409 && url.includes('/admin/groups/')) ||
        (status === 400 && url.includes('/scheduled-test')),
    );
    page = w.page;
    await page.goto(`${t.url}/web/login`);
    await page.fill('#username', ADMIN.username);
    await page.fill('#password', ADMIN.password);
    await Promise.all([page.waitForURL(`${t.url}/web/`), page.click('[data-testid=login-submit]')]);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await fake?.close();
  });

  test('a group is created, given a member through the transfer list, and not deleted while it has one', async () => {
    await page.goto(`${t.url}/web/accounts`);
    await page.getByTestId('groups-open').click();
    const modal = page.getByTestId('groups-modal');
    await modal.getByText('No groups yet').waitFor();
    await page.waitForURL(/tab=groups/);
    await modal.getByTestId('group-add').click();
    await modal.getByTestId('group-name').locator('input').fill('Team A');
    await modal.getByTestId('group-save').click();
    await modal.getByTestId('group-count-Team A').getByText('0 routable / 0').waitFor();
    await modal.getByTestId('group-members-Team A').click();
    await modal.getByText('Members of “Team A”').waitFor();
    await modal.getByTestId('group-transfer').locator('.n-transfer-list--source .n-transfer-list-item', { hasText: 'alpha' }).click();
    await checkPage(page, 'en', 'group members');
    await shot(page, 'groups-members-en-1440');
    await modal.getByTestId('group-members-save').click();
    await modal.getByTestId('group-count-Team A').getByText('1 routable / 1').waitFor();
    const groups = await t.admin('GET', '/groups');
    assert.deepEqual(
      groups.json.items.map((g: { name: string; members: string[] }) => [g.name, g.members]),
      [['Team A', [alpha]]],
    );
    const acc = await t.admin('GET', `/accounts/${beta}`);
    assert.deepEqual(acc.json.groupIds, [], 'only the picked account joined');
    await modal.getByTestId('group-delete-Team A').click();
    await page.locator('.n-dialog').getByRole('button', { name: 'Delete' }).click();
    await modal.getByTestId('groups-error').getByText('The group still has 1 member(s): alpha. Remove them first.').waitFor();
    assert.equal((await t.admin('GET', '/groups')).json.total, 1, 'the group is still there');
    await checkPage(page, 'en', 'groups');
    await shot(page, 'groups-en-1440');
    // A reload keeps the dialog open (the tab is in the URL).
    await page.reload();
    await page.getByTestId('groups-modal').getByTestId('group-count-Team A').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('groups-modal').waitFor({ state: 'hidden' });
  });

  test('the account drawer shows the health history, recent errors, and the last test run from it', async () => {
    await t.relay.health.report(alpha, { kind: 'rate_limited', reason: 'usage limit reached', until: Date.now() + 3_600_000 }, { httpStatus: 429 });
    await t.relay.health.reset(alpha);
    await t.relay.store.usage.record([
      failed({ keyId, accountId: alpha, requestId: 'req-ops-alpha-429' }),
      failed({ keyId, accountId: beta, requestId: 'req-ops-beta-500', status: 500 }),
    ]);
    await page.goto(`${t.url}/web/accounts`);
    await page.getByTestId('accounts-table').locator('tr', { hasText: 'alpha' }).getByTestId('acc-detail').click();
    const drawer = page.getByTestId('account-drawer');
    await drawer.getByTestId('health-strip').waitFor();
    await page.waitForURL(new RegExp(`account=${alpha}`));
    assert.equal((await drawer.getByTestId('health-strip').locator('.cell.warn').count()) > 0, true, 'the 24 h strip shows the cooldown');
    await drawer.locator('.n-tabs-tab', { hasText: 'Health history' }).click();
    const hist = drawer.getByTestId('health-history');
    await hist.getByText('usage limit reached (HTTP 429)').waitFor();
    await hist.getByText('Recovered: no reason left').waitFor();
    await drawer.locator('.n-tabs-tab', { hasText: 'Errors (1)' }).click();
    await drawer.getByTestId('account-errors').getByText('req-ops-alpha-429').waitFor();
    assert.equal(await drawer.getByText('req-ops-beta-500').count(), 0, 'only this account’s errors');
    await drawer.locator('.n-tabs-tab', { hasText: 'Tests' }).click();
    await drawer.getByText('Not tested yet').waitFor();
    await drawer.getByTestId('drawer-test').click();
    await drawer
      .getByTestId('last-test')
      .getByText(/HTTP 200/)
      .waitFor();
    const hh = await t.admin('GET', `/accounts/${alpha}/health-history`);
    assert.equal(hh.json.lastTest.ok, true);
    assert.deepEqual(
      hh.json.items.map((e: { state: string }) => e.state),
      ['ok', 'rate_limited'],
    );
    await checkPage(page, 'en', 'account drawer');
    await shot(page, 'account-drawer-tests-en-1440');
    await drawer.locator('.n-tabs-tab', { hasText: 'Overview' }).click();
    await drawer.getByText('Team A').waitFor();
    await drawer.locator('[data-state=routable]').waitFor();
    await shot(page, 'account-drawer-overview-en-1440');
  });

  test('the drawer’s scheduled test: a preset and a model are saved, a bad cron is refused, the runs are listed', async () => {
    await page.goto(`${t.url}/web/accounts?account=${alpha}`);
    const drawer = page.getByTestId('account-drawer');
    await drawer.locator('.n-tabs-tab', { hasText: 'Tests' }).click();
    const sched = drawer.getByTestId('scheduled-test');
    await sched.getByText('No scheduled runs yet').waitFor();
    assert.equal(await sched.getByTestId('sched-cron').locator('input').inputValue(), '0 8 * * *', 'a daily 08:00 test is proposed');
    await sched.getByTestId('sched-cron').locator('input').fill('* * * * *');
    await sched.getByTestId('sched-enabled').click();
    await sched.getByTestId('sched-save').click();
    await sched
      .getByTestId('sched-error')
      .getByText(/more often than every 5 minutes/)
      .waitFor();
    await sched.getByTestId('sched-preset-every6h').click();
    assert.equal(await sched.getByTestId('sched-cron').locator('input').inputValue(), '0 */6 * * *');
    await sched.getByTestId('sched-model').click();
    await page.keyboard.type('claude-sonnet-4-5');
    await page.keyboard.press('Enter');
    await sched.getByText('Unsaved changes').waitFor();
    await sched.getByTestId('sched-save').click();
    await sched
      .getByTestId('sched-next')
      .getByText(/^Next run \d{4}-\d\d-\d\d \d\d:00$/)
      .waitFor();
    const saved = (await t.admin('GET', `/accounts/${alpha}/scheduled-test`)).json;
    assert.deepEqual([saved.enabled, saved.cron, saved.model, saved.updatedBy], [true, '0 */6 * * *', 'claude-sonnet-4-5', 'admin']);
    assert.equal(new Date(Date.parse(saved.nextRunAt) + 8 * 3_600_000).getUTCHours() % 6, 0, 'every 6 h in the reporting time zone');
    // Runs as the runner records them (it is driven with a fake clock in test/scheduled-tests.test.ts).
    const run = (at: number, ok: boolean) => ({
      at,
      ok,
      status: ok ? 200 : 401,
      latencyMs: 812,
      model: 'claude-sonnet-4-5',
      text: ok ? 'pong' : null,
      error: ok ? null : 'invalid x-api-key ***',
      trigger: 'scheduled',
    });
    await t.relay.store.kv.set(`acct-test-log:${alpha}`, JSON.stringify([run(Date.now() - 60_000, false), run(Date.now() - 6 * 3_600_000, true)]));
    await page.reload();
    await drawer.locator('.n-tabs-tab', { hasText: 'Tests' }).click();
    const history = drawer.getByTestId('sched-history');
    await history.getByText('invalid x-api-key ***').waitFor();
    assert.equal(await history.getByText('Failed').count(), 1);
    assert.equal(await history.getByText('OK', { exact: true }).count(), 1);
    await checkPage(page, 'en', 'scheduled test');
    await shot(page, 'account-drawer-scheduled-test-en-1440');
  });

  test('the key drawer lists the key’s recent errors', async () => {
    await page.goto(`${t.url}/web/keys`);
    await page.locator('tr', { hasText: 'ops key' }).getByTestId('key-detail').click();
    const drawer = page.getByTestId('key-drawer');
    await drawer.getByTestId('key-errors').getByText('req-ops-alpha-429').waitFor();
    await drawer.getByTestId('key-errors').getByText('req-ops-beta-500').waitFor();
    await drawer.getByText('Recent errors (2)').waitFor();
    await checkPage(page, 'en', 'key drawer');
    await shot(page, 'key-drawer-en-1440');
  });

  test('Settings › Relay behaviour saves failover attempts and a cooldown; a field goes back to its default', async () => {
    await page.goto(`${t.url}/web/settings`);
    const card = page.getByTestId('relay-behaviour');
    const attempts = card.getByTestId('relay-failover').locator('input');
    await attempts.waitFor();
    assert.equal(await attempts.inputValue(), '3');
    await attempts.fill('1');
    await attempts.blur();
    const overloaded = card.getByTestId('relay-cooldownOverloadedSec').locator('input');
    await overloaded.fill('90');
    await overloaded.blur();
    await card.getByText('Unsaved changes').waitFor();
    await card.getByTestId('relay-save').click();
    await card.getByText(/Last changed by admin at/).waitFor();
    let r = (await t.admin('GET', '/settings/relay')).json;
    assert.deepEqual([r.values.failoverMaxAttempts, r.values.cooldownOverloadedSec, r.values.concurrentRequestQueueMaxSize], [1, 90, 3]);
    assert.equal(t.relay.settings.get('relay').failoverMaxAttempts, 1, 'the running relay has it');
    await card.getByTestId('relay-reset-cooldownOverloadedSec').click();
    assert.equal(await overloaded.inputValue(), '60');
    await card.getByTestId('relay-save').click();
    await card.getByTestId('relay-reset-cooldownOverloadedSec').waitFor({ state: 'hidden' });
    // The reset button hides when the form holds the default, which can be before the save has landed.
    await eventually(async () => {
      r = (await t.admin('GET', '/settings/relay')).json;
      assert.equal(r.values.cooldownOverloadedSec, 60);
    });

    // Auto-pause and the relay-wide client restriction.
    const pause = card.getByTestId('relay-auto-pause').locator('input');
    assert.equal(await pause.inputValue(), '0');
    await pause.fill('85');
    await pause.blur();
    await card.getByTestId('relay-client-claude_code').click();
    await card.getByTestId('relay-save').click();
    await card.getByText(/Last changed by admin at/).waitFor();
    await card.getByText('Unsaved changes').waitFor({ state: 'hidden' });
    r = (await t.admin('GET', '/settings/relay')).json;
    assert.deepEqual([r.values.autoPauseFiveHourPercent, r.values.allowedClients], [85, ['claude_code']]);
    await card.getByTestId('relay-client-claude_code').click();
    await card.getByTestId('relay-save').click();
    await card.getByText('Unsaved changes').waitFor({ state: 'hidden' });
    assert.deepEqual((await t.admin('GET', '/settings/relay')).json.values.allowedClients, [], 'unticked: any client again');
    await t.admin('PATCH', '/settings/relay', { failoverMaxAttempts: null, autoPauseFiveHourPercent: null });
    await card.scrollIntoViewIfNeeded();
    await checkPage(page, 'en', 'settings relay behaviour');
    await shot(page, 'settings-relay-behaviour-en-1440');
  });

  test('Settings › Data & retention saves the request-log days', async () => {
    await page.goto(`${t.url}/web/settings`);
    const card = page.getByTestId('retention-settings');
    const input = card.getByTestId('retention-days').locator('input');
    await input.waitFor();
    assert.equal(await input.inputValue(), '30');
    await input.fill('7');
    await input.blur();
    await card.getByText('Unsaved changes').waitFor();
    await card.getByTestId('retention-save').click();
    await card.getByText(/Last changed by admin at/).waitFor();
    const r = await t.admin('GET', '/settings/retention');
    assert.equal(r.json.values.requestLogDays, 7);
    await card.scrollIntoViewIfNeeded();
    await checkPage(page, 'en', 'settings retention');
    await shot(page, 'settings-retention-en-1440');
    assert.deepEqual(w.problems, []);
  });

  test('in Chinese: the groups dialog, the account drawer and the retention card have no raw message keys', async () => {
    await page.goto(`${t.url}/web/accounts`);
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('groups-open').click();
    const modal = page.getByTestId('groups-modal');
    await modal.getByText('账户分组').waitFor();
    const raw = async () => (await page.locator('body').innerText()).match(/\b(groups|drawer|retention|sched|relayb)\.[a-zA-Z]+/g) ?? [];
    assert.deepEqual(await raw(), []);
    await checkPage(page, 'zh-CN', 'groups zh');
    await shot(page, 'groups-zh-1440');
    await page.keyboard.press('Escape');
    await page.goto(`${t.url}/web/accounts?account=${alpha}`);
    await page.getByTestId('account-drawer').getByText('最近 24 小时（每格 10 分钟）').waitFor();
    assert.deepEqual(await raw(), []);
    await shot(page, 'account-drawer-zh-1440');
    await page.getByTestId('account-drawer').locator('.n-tabs-tab', { hasText: '测试' }).click();
    await page.getByTestId('scheduled-test').getByText('定时运行记录', { exact: true }).waitFor();
    await page.getByTestId('sched-preset-daily8').getByText('每天 08:00').waitFor();
    assert.deepEqual(await raw(), []);
    await shot(page, 'account-drawer-scheduled-test-zh-1440');
    await page.goto(`${t.url}/web/settings`);
    await page.getByTestId('retention-settings').getByText('请求日志保留').waitFor();
    await page.getByTestId('relay-behaviour').getByText('每个请求最多尝试的账户数').waitFor();
    assert.deepEqual(await raw(), []);
    assert.deepEqual(w.problems, []);
  });
});
