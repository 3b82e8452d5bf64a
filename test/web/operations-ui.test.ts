// Day-to-day operations in Chromium without the CLI: a group created and given a member through the transfer list
// (delete refused while it has members, naming them); the account drawer with its health history, recent errors
// and the last test (run from the drawer); the key drawer with its recent errors; Settings › Data & retention.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { bucketLabels } from '../../src/core/time-buckets.js';
import type { UsageEvent } from '../../src/core/usage-event.js';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { ADMIN, startRelay, type TestRelay } from '../support/harness.js';
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
    // The refused group delete answers 409.
    w = await watchedPage(ctx, (url, status) => (status === 401 && url.includes('/admin/session')) || (status === 409 && url.includes('/admin/groups/')));
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
    assert.deepEqual(groups.json.items.map((g: { name: string; members: string[] }) => [g.name, g.members]), [['Team A', [alpha]]]);
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
    await t.relay.store.usage.record([failed({ keyId, accountId: alpha, requestId: 'req-ops-alpha-429' }), failed({ keyId, accountId: beta, requestId: 'req-ops-beta-500', status: 500 })]);
    await page.goto(`${t.url}/web/accounts`);
    await page.getByTestId('accounts-table').locator('tr', { hasText: 'alpha' }).getByTestId('acc-detail').click();
    const drawer = page.getByTestId('account-drawer');
    await drawer.getByTestId('health-strip').waitFor();
    await page.waitForURL(new RegExp(`account=${alpha}`));
    assert.equal(await drawer.getByTestId('health-strip').locator('.cell.warn').count() > 0, true, 'the 24 h strip shows the cooldown');
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
    await drawer.getByTestId('last-test').getByText(/HTTP 200/).waitFor();
    const hh = await t.admin('GET', `/accounts/${alpha}/health-history`);
    assert.equal(hh.json.lastTest.ok, true);
    assert.deepEqual(hh.json.items.map((e: { state: string }) => e.state), ['ok', 'rate_limited']);
    await checkPage(page, 'en', 'account drawer');
    await shot(page, 'account-drawer-tests-en-1440');
    await drawer.locator('.n-tabs-tab', { hasText: 'Overview' }).click();
    await drawer.getByText('Team A').waitFor();
    await drawer.locator('[data-state=routable]').waitFor();
    await shot(page, 'account-drawer-overview-en-1440');
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
    const raw = async () => ((await page.locator('body').innerText()).match(/\b(groups|drawer|retention)\.[a-zA-Z]+/g) ?? []);
    assert.deepEqual(await raw(), []);
    await checkPage(page, 'zh-CN', 'groups zh');
    await shot(page, 'groups-zh-1440');
    await page.keyboard.press('Escape');
    await page.goto(`${t.url}/web/accounts?account=${alpha}`);
    await page.getByTestId('account-drawer').getByText('最近 24 小时（每格 10 分钟）').waitFor();
    assert.deepEqual(await raw(), []);
    await shot(page, 'account-drawer-zh-1440');
    await page.goto(`${t.url}/web/settings`);
    await page.getByTestId('retention-settings').getByText('请求日志保留').waitFor();
    assert.deepEqual(await raw(), []);
    assert.deepEqual(w.problems, []);
  });
});
