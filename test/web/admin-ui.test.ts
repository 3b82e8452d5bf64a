// The web admin in real Chromium against the built bundle served by the relay, with the fake Anthropic upstream:
// log in (deep link kept), add an account, create a key (once-dialog, copy with and without the clipboard API),
// use the key with @anthropic-ai/sdk, see tokens and cost on the dashboard, request log and key-holder page, switch
// language, and capture every page at desktop and phone width, light and dark.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { ADMIN, startRelay, type TestRelay } from '../support/harness.js';
import { browserSkipReason, checkPage, ensureWebBuilt, launch, shot, watchedPage, type Watched } from './support/browser.js';

// Browser globals used inside page.evaluate / addInitScript callbacks (they run in the page, not in Node).
declare const window: any, document: any, navigator: any, location: any, localStorage: any, sessionStorage: any;

const skip = browserSkipReason();
const ACCOUNT_KEY = 'sk-ant-api03-browser-test-account';
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const usd = (micros: number) => {
  const v = micros / 1e6;
  return '$' + v.toLocaleString('en-US', { minimumFractionDigits: v < 1 ? 4 : 2, maximumFractionDigits: v < 1 ? 4 : 2 });
};

describe('web admin in Chromium', { skip: skip ?? false }, () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let browser: Browser;
  let ctx: BrowserContext;
  let w: Watched;
  let page: Page;
  let relayKey = '';
  let costMicros = 0;
  let dayMicros = 0;

  before(async () => {
    ensureWebBuilt();
    fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY] });
    t = await startRelay();
    browser = await launch();
    ctx = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    // 401 on the first session probe and the wrong-password login are expected.
    w = await watchedPage(ctx, (url, status) => status === 401 && /\/admin\/session/.test(url));
    page = w.page;
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await fake?.close();
  });

  test('a deep link while logged out goes to login and back; a wrong password is refused in words', async () => {
    await page.goto(`${t.url}/web/keys?status=disabled`);
    await page.waitForURL(/\/web\/login\?from=/);
    await page.fill('#username', ADMIN.username);
    await page.fill('#password', 'wrong-password');
    await page.click('[data-testid=login-submit]');
    await page.getByTestId('login-error').getByText('Wrong username or password.').waitFor();
    await checkPage(page, 'en', 'login');
    await shot(page, 'login-en-light-1440');
    await page.fill('#password', ADMIN.password);
    await Promise.all([page.waitForURL(/\/web\/keys\?status=disabled/), page.click('[data-testid=login-submit]')]);
    const cookies = await ctx.cookies();
    const c = cookies.find((x) => x.name === 'crs_admin');
    assert.ok(c && c.httpOnly && c.sameSite === 'Strict', 'HttpOnly SameSite=Strict session cookie');
  });

  test('add a Claude API-key account pointing at the fake upstream; it shows as routable', async () => {
    await page.goto(`${t.url}/web/accounts`);
    await page.getByTestId('account-add').click();
    await page.getByTestId('kind-anthropic-api').click();
    await page.getByTestId('acc-name').locator('input').fill('e2e-main');
    await page.getByTestId('acc-apikey').locator('input').fill(ACCOUNT_KEY);
    await page.getByTestId('acc-baseurl').locator('input').fill(fake.url);
    const created = page.waitForResponse((r) => r.url().endsWith('/admin/accounts') && r.request().method() === 'POST');
    await page.getByTestId('acc-save').click();
    assert.equal((await created).status(), 201);
    const row = page.getByTestId('accounts-table').locator('tr', { hasText: 'e2e-main' });
    await row.locator('[data-state=routable]').waitFor();
    const test = page.waitForResponse((r) => /\/admin\/accounts\/[^/]+\/test$/.test(r.url()));
    await row.getByTestId('acc-test').click();
    assert.equal(((await (await test).json()) as { ok: boolean }).ok, true);
    await page.getByText(/Answered 200/).waitFor();
    await checkPage(page, 'en', 'accounts');
    await shot(page, 'accounts-en-light-1440');
  });

  test('create a key: shown once with snippets; copy works with and without the clipboard API; nothing stored', async () => {
    await page.goto(`${t.url}/web/keys`);
    await page.getByTestId('key-create').click();
    await page.getByTestId('key-name').locator('input').fill('e2e-alice');
    // Limits: $5 a day, 3 requests per 1-minute window, 1 at a time, only claude-sonnet-5, 7-day expiry.
    await page.getByTestId('key-field-dailyCostLimit').locator('input').fill('5');
    await page.getByTestId('key-field-rateLimitWindow').locator('input').fill('1');
    await page.getByTestId('key-field-rateLimitRequests').locator('input').fill('3');
    await page.getByTestId('key-field-concurrencyLimit').locator('input').fill('1');
    await page.getByTestId('key-model-restrict').click();
    await page.getByTestId('key-model-allow').click();
    await page.getByTestId('key-models').click();
    await page.keyboard.type('claude-sonnet-5');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.getByText('In 30 days').click();
    await page.getByRole('button', { name: '7 days' }).click();
    const sentences = page.getByTestId('limit-sentences');
    await sentences.getByText('At most $5.00 per day; resets at 00:00 UTC+08:00').waitFor();
    await sentences.getByText('Within every 1 min: at most 3 requests').waitFor();
    await sentences.getByText('At most 1 concurrent request(s)').waitFor();
    await shot(page, 'key-form-en-light-1440');
    const created = page.waitForResponse((r) => r.url().endsWith('/admin/keys') && r.request().method() === 'POST');
    await page.getByTestId('key-submit').click();
    const res = await created;
    const sent = JSON.parse(res.request().postData() ?? '{}');
    assert.equal(sent.dailyCostLimit, 5);
    assert.equal(sent.rateLimitWindow, 1);
    assert.equal(sent.rateLimitRequests, 3);
    assert.equal(sent.concurrencyLimit, 1);
    assert.equal(sent.enableModelRestriction, true);
    assert.equal(sent.modelRestrictionMode, 'whitelist');
    assert.deepEqual(sent.restrictedModels, ['claude-sonnet-5']);
    assert.ok(Math.abs(Number(sent.expiresAt) - (Date.now() + 7 * 86_400_000)) < 120_000, `7-day expiry: ${sent.expiresAt}`);
    assert.equal(res.status(), 201);
    const body = (await res.json()) as { key: string };
    relayKey = body.key;
    const once = page.getByTestId('key-once');
    await once.getByTestId('once-key').getByText(relayKey).waitFor();
    await shot(page, 'key-once-en-light-1440');
    await once.getByTestId('once-copy').click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), relayKey, 'clipboard holds the key');
    const claude = await once.getByTestId('snippet-claude-bash').innerText();
    assert.ok(claude.includes(`ANTHROPIC_BASE_URL="${t.url}/api"`) && claude.includes(relayKey));
    await once.getByText('Codex CLI').click();
    await once.getByTestId('shell-powershell').click();
    const codex = await once.getByTestId('snippet-codex-powershell').innerText();
    assert.ok(codex.includes(`${t.url}/openai/v1`) && codex.includes('wire_api = "responses"') && codex.includes(relayKey));
    await once.getByText('Gemini CLI').click();
    await once.getByTestId('shell-cmd').click();
    const gemini = await once.getByTestId('snippet-gemini-cmd').innerText();
    assert.ok(gemini.includes(`GOOGLE_GEMINI_BASE_URL=${t.url}/gemini`) && gemini.includes('gemini-api-key') && gemini.includes(relayKey));
    // ✕ asks first; "I have saved it" closes.
    await once.locator('.n-card-header__extra .n-base-close, .n-base-close').first().click();
    await page.getByText('Close without saving the key?').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await once.getByTestId('once-saved').click();
    await once.waitFor({ state: 'detached' });
    await page.getByTestId('keys-table').getByText('e2e-alice').waitFor();
    const leaked = await page.evaluate(
      (k) => [location.href, JSON.stringify(localStorage), JSON.stringify(sessionStorage)].some((s) => s.includes(k)),
      relayKey,
    );
    assert.equal(leaked, false, 'the key is in neither the URL nor storage');
    assert.equal(await page.getByText(relayKey).count(), 0, 'the list shows only the prefix');
  });

  test('copy falls back to a selected textarea when navigator.clipboard is missing (plain-HTTP origins)', async () => {
    const p = await ctx.newPage();
    await p.addInitScript(() => {
      Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
      const orig = document.execCommand.bind(document);
      document.execCommand = (cmd: string, ...rest: unknown[]) => {
        if (cmd === 'copy') (window as unknown as { __copied: string }).__copied = (document.activeElement as { value?: string } | null)?.value ?? '';
        return cmd === 'copy' ? true : orig(cmd, ...(rest as [boolean, string]));
      };
    });
    await p.goto(`${t.url}/web/keys`);
    await p.getByTestId('keys-table').locator('tr', { hasText: 'e2e-alice' }).getByRole('button', { name: 'Copy' }).click();
    await p.getByText('Copied').first().waitFor();
    const copied = await p.evaluate(() => (window as unknown as { __copied: string }).__copied);
    assert.match(copied, /^cr_[0-9a-f]{8}$/, 'the prefix went through the fallback');
    await p.close();
  });

  test('the key works through the relay with the SDK; tokens and cost appear on the dashboard and the request log', async () => {
    const sdk = new Anthropic({ baseURL: `${t.url}/api`, apiKey: relayKey, maxRetries: 0 });
    fake.enqueue({ kind: 'reply', usage: { input_tokens: 1200, output_tokens: 345, cache_read_input_tokens: 1000 } });
    const msg = await sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 64, messages: [{ role: 'user', content: 'hello from the browser test' }] });
    assert.equal(msg.type, 'message');
    const deadline = Date.now() + 3000;
    let events = await t.relay.store.usage.recentRequests(5);
    while (events.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      events = await t.relay.store.usage.recentRequests(5);
    }
    assert.equal(events.length, 1);
    costMicros = Math.round(events[0].costNanos / 1000);
    assert.ok(costMicros > 0);
    await page.goto(`${t.url}/web/`);
    await page.getByTestId('card-requests').getByText('1', { exact: true }).waitFor();
    await page.getByTestId('card-cost').getByText(usd(costMicros), { exact: true }).waitFor();
    await page.getByTestId('card-tokens').getByText('2,545', { exact: true }).waitFor();
    await page.getByTestId('model-row').filter({ hasText: 'claude-sonnet-5' }).waitFor();
    await page.waitForTimeout(400); // chart animation
    await checkPage(page, 'en', 'dashboard');
    await shot(page, 'dashboard-en-light-1440');
    await page.goto(`${t.url}/web/requests`);
    const row = page.getByTestId('requests-table').locator('tr', { hasText: 'e2e-alice' });
    await row.getByTestId('req-cost').getByText(usd(costMicros)).waitFor();
    await row.getByText('200').first().waitFor();
    await checkPage(page, 'en', 'requests');
    await shot(page, 'requests-en-light-1440');
    await page.goto(`${t.url}/web/keys?usageRange=today`);
    await page
      .getByTestId('key-usage')
      .getByText(`1 req · 2,545 · ${usd(costMicros)}`)
      .waitFor();
    const keyRow = page.getByTestId('keys-table').locator('tr', { hasText: 'e2e-alice' });
    await keyRow.getByText('1 / 3').waitFor();
    await keyRow.getByText(`${usd(costMicros)} / $5.00`).waitFor();
    await shot(page, 'keys-en-light-1440');
    await page.goto(`${t.url}/web/usage`);
    await page.getByTestId('usage-table').getByText('claude-sonnet-5').waitFor();
    await page.waitForTimeout(400);
    await checkPage(page, 'en', 'usage');
    await shot(page, 'usage-en-light-1440');
    await page.goto(`${t.url}/web/settings`);
    await page
      .getByTestId('tz-explain')
      .getByText(/UTC\+08:00/)
      .waitFor();
    await shot(page, 'settings-en-light-1440');
  });

  test('the window limit refuses the fourth request; the key shows as exhausted in the list', async () => {
    const sdk = new Anthropic({ baseURL: `${t.url}/api`, apiKey: relayKey, maxRetries: 0 });
    for (let i = 0; i < 2; i++) await sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 16, messages: [{ role: 'user', content: `more ${i}` }] });
    await assert.rejects(
      sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 16, messages: [{ role: 'user', content: 'one too many' }] }),
      (e: { status?: number }) => e.status === 429,
    );
    await assert.rejects(
      sdk.messages.create({ model: 'claude-opus-4-8', max_tokens: 16, messages: [{ role: 'user', content: 'not allowed' }] }),
      (e: { status?: number }) => e.status === 403 || e.status === 429,
    );
    await page.goto(`${t.url}/web/keys`);
    const row = page.getByTestId('keys-table').locator('tr', { hasText: 'e2e-alice' });
    await row.locator('[data-state=exhausted]').waitFor();
    await row.getByText('3 / 3').waitFor();
    await shot(page, 'keys-exhausted-en-light-1440');
    await new Promise((r) => setTimeout(r, 300)); // the usage write of the last request
    const events = await t.relay.store.usage.recentRequests(50);
    dayMicros = Math.round(events.reduce((a, e) => a + e.costNanos, 0) / 1000);
  });

  test('the key-holder page: key pasted, usage and cost shown, never in the URL or storage; unknown key refused', async () => {
    const pub = await browser.newContext({ viewport: PHONE, locale: 'en-US' });
    const s = await watchedPage(pub, (url, status) => status === 401 && url.includes('/stats/api/session'));
    await s.page.goto(`${t.url}/web/stats`);
    await s.page
      .getByTestId('stats-key')
      .locator('input')
      .fill('cr_' + '0'.repeat(64));
    await s.page.getByTestId('stats-submit').click();
    await s.page.getByTestId('stats-error').getByText('Key not recognised.').waitFor();
    await s.page.getByTestId('stats-key').locator('input').fill(relayKey);
    await s.page.getByTestId('stats-submit').click();
    await s.page.getByTestId('stats-name').getByText('e2e-alice').waitFor();
    await s.page.getByTestId('stats-today').getByText(usd(dayMicros)).waitFor();
    await s.page
      .getByTestId('stats-limit')
      .filter({ hasText: 'Window requests' })
      .getByText(/3 \/ 3/)
      .waitFor();
    await s.page
      .getByTestId('stats-restrictions')
      .getByText(/claude-sonnet-5/)
      .waitFor();
    const leaked = await s.page.evaluate(
      (k) => [location.href, JSON.stringify(localStorage), JSON.stringify(sessionStorage), document.body.innerText].some((x) => x.includes(k)),
      relayKey,
    );
    assert.equal(leaked, false, 'the key is nowhere in the page, URL or storage');
    await s.page.waitForTimeout(400);
    await checkPage(s.page, 'en', 'stats');
    await shot(s.page, 'stats-en-light-390');
    await s.page.getByTestId('lang-switch').click();
    await s.page.getByText('用量查询').first().waitFor();
    await shot(s.page, 'stats-zh-light-390');
    assert.deepEqual(s.problems, []);
    await pub.close();
  });

  test('language switch shows Chinese labels and survives a reload; the browser language picks the default', async () => {
    await page.goto(`${t.url}/web/`);
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('nav-keys').getByText('API Key').waitFor();
    await page.getByText('今日费用').waitFor();
    await page.reload();
    await page.getByText('今日费用').waitFor();
    await checkPage(page, 'zh-CN', 'dashboard zh');
    await shot(page, 'dashboard-zh-light-1440');
    for (const name of ['accounts', 'keys', 'usage', 'requests', 'settings']) {
      await page.getByTestId(`nav-${name}`).click();
      await page.getByTestId(`page-${name}`).waitFor();
      await page.waitForTimeout(300);
      await checkPage(page, 'zh-CN', `${name} zh`);
      await shot(page, `${name}-zh-light-1440`);
    }
    await page.getByTestId('lang-switch').click();
    await page.getByText('Request log').first().waitFor();
    const zh = await browser.newContext({ locale: 'zh-CN', viewport: DESKTOP });
    const p = await zh.newPage();
    await p.goto(`${t.url}/web/login`);
    await p.getByRole('heading', { name: '登录' }).waitFor();
    await zh.close();
  });

  test('dark mode and phone width: drawer navigation, no horizontal overflow, screenshots', async () => {
    await page.evaluate(() => localStorage.setItem('crs.theme', 'dark'));
    for (const name of ['', 'accounts', 'keys', 'usage', 'requests', 'settings']) {
      await page.goto(`${t.url}/web/${name}`);
      await page.getByTestId(`page-${name || 'dashboard'}`).waitFor();
      await page.waitForTimeout(500);
      await checkPage(page, 'en', `${name || 'dashboard'} dark`);
      await shot(page, `${name || 'dashboard'}-en-dark-1440`);
    }
    await page.setViewportSize(PHONE);
    for (const theme of ['dark', 'light']) {
      await page.evaluate((th) => localStorage.setItem('crs.theme', th), theme);
      for (const name of ['', 'accounts', 'keys', 'usage', 'requests', 'settings']) {
        await page.goto(`${t.url}/web/${name}`);
        await page.getByTestId(`page-${name || 'dashboard'}`).waitFor();
        await page.waitForTimeout(400);
        await checkPage(page, 'en', `${name || 'dashboard'} phone ${theme}`);
        await shot(page, `${name || 'dashboard'}-en-${theme}-390`);
      }
    }
    await page.getByTestId('nav-drawer').click();
    await page.getByTestId('nav-keys').click();
    await page.getByTestId('page-keys').waitFor();
    await page.getByTestId('key-create').click();
    await shot(page, 'key-form-en-light-390');
    await page.keyboard.press('Escape');
    await page.setViewportSize(DESKTOP);
  });

  test('a session deleted on the server sends the next action to the login page', async () => {
    const r = await t.admin('DELETE', '/session?all=true');
    assert.equal(r.status, 204);
    await page.getByTestId('nav-accounts').click();
    await page.getByText('Session expired. Please sign in again.').waitFor();
    await page.waitForURL(/\/web\/login\?from=(%2F|\/)accounts/);
    const unexpected = w.problems.filter((p) => !/HTTP 401 .*\/admin\//.test(p));
    assert.deepEqual(unexpected, [], 'no console errors or unexpected failed requests');
  });
});
