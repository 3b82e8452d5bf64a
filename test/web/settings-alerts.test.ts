// Settings › notifications and the wait queue's defaults in Chromium: the queue default saved; a WeCom channel added
// through the form, a test sent to a fake receiver, the history row; editing never shows the secret URL; options
// saved; the key form's queue fields; screenshots in English, Chinese and at phone width.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN, startRelay, type TestRelay } from '../support/harness.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { browserSkipReason, checkPage, ensureWebBuilt, launch, shot, watchedPage, type Watched } from './support/browser.js';

const skip = browserSkipReason();
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const WECOM_KEY = 'browser-wecom-robot-key-0042';

describe('Settings: notifications and the wait queue in Chromium', { skip: skip ?? false }, () => {
  let t: TestRelay;
  let hook: WebhookReceiver;
  let browser: Browser;
  let ctx: BrowserContext;
  let w: Watched;
  let page: Page;

  before(async () => {
    ensureWebBuilt();
    hook = await startWebhookReceiver();
    t = await startRelay();
    browser = await launch();
    ctx = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
    w = await watchedPage(ctx, (url, status) => status === 401 && url.includes('/admin/session'));
    page = w.page;
    await page.goto(`${t.url}/web/login`);
    await page.fill('#username', ADMIN.username);
    await page.fill('#password', ADMIN.password);
    await Promise.all([page.waitForURL(`${t.url}/web/`), page.click('[data-testid=login-submit]')]);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await hook?.close();
  });

  test('the wait queue default is saved and shown as changed by the admin', async () => {
    await page.goto(`${t.url}/web/settings`);
    const card = page.getByTestId('queue-defaults');
    await card.getByText('Queue by default').waitFor();
    await card.getByTestId('queue-enabled').click();
    await card.getByText('Unsaved changes').waitFor();
    await card.getByTestId('queue-save').click();
    await card.getByText(/Last changed by admin at/).waitFor();
    const relay = await t.admin('GET', '/settings/relay');
    assert.equal(relay.json.values.concurrentRequestQueueEnabled, true);
    assert.equal(relay.json.updatedBy, 'admin');
  });

  test('a WeCom channel is added, tested (the receiver gets it) and shows in the history; its URL never comes back', async () => {
    const n = page.getByTestId('notifications');
    await n.getByText('No channel yet').waitFor();
    await n.getByTestId('channel-add').click();
    const form = page.getByTestId('channel-form');
    await form.getByTestId('channel-name').locator('input').fill('Team WeCom');
    // Every type's fields and help render (their messages compile).
    const helps: Record<string, RegExp> = {
      'Webhook (JSON)': /x-crs-signature/,
      'DingTalk robot': /SEC… secret/,
      'Feishu / Lark robot': /signature verification/,
      Slack: /incoming-webhook/,
      'Telegram bot': /@BotFather/,
      Bark: /when self-hosted \(default api\.day\.app\)/,
      'Email (SMTP)': /STARTTLS/,
      'WeCom robot': /group robot/,
    };
    for (const [label, help] of Object.entries(helps)) {
      await form.getByTestId('channel-type').click();
      await page.locator('.n-base-select-menu:visible .n-base-select-option').filter({ hasText: label }).click();
      await form.getByText(help).waitFor();
    }
    await form.getByText('The group robot’s webhook address').waitFor();
    await form.getByTestId('channel-field-url').locator('input').fill(`${hook.url}/cgi-bin/webhook/send?key=${WECOM_KEY}`);
    await form.getByTestId('channel-events').getByText('Account unusable').click();
    await form.getByTestId('channel-events').getByText('Store unreachable').click();
    await checkPage(page, 'en', 'channel form');
    await shot(page, 'settings-alert-channel-form-en-1440');
    await form.getByTestId('channel-save').click();
    await form.waitFor({ state: 'hidden' });
    const row = n.getByTestId('alert-channels').locator('tr', { hasText: 'Team WeCom' });
    await row.getByText('WeCom robot').waitFor();
    await row.getByText(`${hook.url}/cgi-bin/…`).waitFor();
    await n.getByTestId('channel-test-Team WeCom').click();
    await page.getByText('Test delivered to Team WeCom').waitFor();
    const got = await hook.waitFor((h) => h.path === '/cgi-bin/webhook/send');
    assert.equal(got.query.key, WECOM_KEY);
    assert.equal(got.json.msgtype, 'markdown');
    const history = n.getByTestId('alert-history');
    await history.getByTestId('history-subject').filter({ hasText: 'Team WeCom' }).first().waitFor();
    assert.match(
      (await history.locator('.ev').first().getAttribute('title')) ?? '',
      /^测试通知：Team WeCom\n/,
      'the alert text (default language Chinese) on hover',
    );
    await history.getByTestId('delivery').filter({ hasText: 'Team WeCom · sent · 1 attempt' }).waitFor();
    // A failing channel: the history says so, with the reason on hover.
    hook.reply({ status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } });
    await n.getByTestId('channel-test-Team WeCom').click();
    await page.getByText(/Test to Team WeCom failed: errcode 93000/).waitFor();
    await history.getByTestId('delivery').filter({ hasText: 'failed' }).waitFor();
    assert.ok(!(await page.content()).includes(WECOM_KEY), 'the robot key is not on the page');
    // Once, in a full CI run on a loaded machine, the form never opened after this click (the next wait timed out
    // after 30 s; not reproduced alone). The table re-renders its rows as the test send settles; a click in that
    // moment can be lost, as a person's would be, who then clicks again. So: one more click if no form shows.
    const edit = n.getByTestId('channel-edit-Team WeCom');
    await edit.click();
    const form2 = page.getByTestId('channel-form');
    if (
      !(await form2.waitFor({ timeout: 5000 }).then(
        () => true,
        () => false,
      ))
    )
      await edit.click();
    const url = form2.getByTestId('channel-field-url').locator('input');
    assert.equal(await url.inputValue(), '');
    assert.equal(await url.getAttribute('placeholder'), 'set — leave empty to keep');
    assert.ok(!(await page.content()).includes(WECOM_KEY), 'nor in the edit form');
    await page.getByTestId('channel-form').getByTestId('channel-name').locator('input').fill('Team WeCom (ops)');
    await page.getByTestId('channel-form').getByTestId('channel-save').click();
    await n.getByTestId('alert-channels').locator('tr', { hasText: 'Team WeCom (ops)' }).waitFor();
    const list = await t.admin('GET', '/notifications/channels');
    assert.deepEqual(list.json.items[0].secretsSet, ['url'], 'the URL was kept');
    assert.deepEqual(list.json.items[0].events, ['account_unusable', 'store_unreachable']);
    await checkPage(page, 'en', 'settings notifications');
    await shot(page, 'settings-alerts-en-1440');
  });

  test('alert options are saved', async () => {
    const o = page.getByTestId('alert-options');
    const near = o.locator('.n-input-number').first().locator('input');
    await near.fill('90');
    await near.blur();
    await o.getByText('English').click();
    await o.getByTestId('alert-options-save').click();
    await o.getByText(/Last changed by admin/).waitFor();
    const s = await t.admin('GET', '/settings/notifications');
    assert.equal(s.json.values.nearLimitPercent, 90);
    assert.equal(s.json.values.language, 'en');
  });

  test('the key form offers the queue once a concurrency limit is set', async () => {
    await page.goto(`${t.url}/web/keys`);
    await page.getByTestId('key-create').click();
    const limits = page.getByTestId('key-limits');
    assert.equal(await limits.getByTestId('key-queue').count(), 0, 'no queue without a concurrency limit');
    await limits.getByTestId('key-field-concurrencyLimit').locator('input').fill('2');
    await limits.getByTestId('key-field-concurrencyLimit').locator('input').blur();
    await limits.getByTestId('key-queue').waitFor();
    await limits.getByTestId('key-queue-on').click();
    await checkPage(page, 'en', 'key form queue');
    await shot(page, 'key-form-queue-en-1440');
    await page.getByTestId('key-name').locator('input').fill('queued-key');
    await page.getByTestId('key-submit').click();
    await page.getByTestId('key-once').waitFor();
    const keys = await t.admin('GET', '/keys?q=queued-key');
    assert.equal(keys.json.items[0].concurrentRequestQueueEnabled, true);
    assert.equal(keys.json.items[0].concurrencyLimit, 2);
  });

  test('Chinese and phone width: no overflow, no stray keys', async () => {
    const zh = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
    const p = await zh.newPage();
    await p.goto(`${t.url}/web/login`);
    await p.fill('#username', ADMIN.username);
    await p.fill('#password', ADMIN.password);
    await Promise.all([p.waitForURL(`${t.url}/web/`), p.click('[data-testid=login-submit]')]);
    await p.goto(`${t.url}/web/settings`);
    await p.getByTestId('notifications').getByText('通知渠道').waitFor();
    await p.getByTestId('alert-history').getByText('测试').first().waitFor();
    await checkPage(p, 'zh-CN', 'settings zh');
    await shot(p, 'settings-alerts-zh-1440');
    await p.setViewportSize(PHONE);
    await p.waitForTimeout(300);
    await checkPage(p, 'zh-CN', 'settings zh phone');
    await shot(p, 'settings-alerts-zh-390');
    await zh.close();
    assert.deepEqual(w.problems, []);
  });
});
