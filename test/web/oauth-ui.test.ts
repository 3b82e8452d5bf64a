// The subscription OAuth add flow in Chromium against the fake OAuth provider: terms acknowledged before the link,
// a wrong code refused in words with the dialog kept open, regenerate, then the callback URL (and, in a second
// run, the bare code) completes, the identity card shows, and the account is saved.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { ADMIN, startRelay, type TestRelay } from '../support/harness.js';
import { oauthEnv } from '../support/oauth.js';
import { browserSkipReason, checkPage, ensureWebBuilt, launch, shot, watchedPage, type Watched } from './support/browser.js';

// Browser globals used inside page.evaluate / addInitScript callbacks (they run in the page, not in Node).
declare const document: any;

const skip = browserSkipReason();

describe('OAuth account flow in Chromium', { skip: skip ?? false }, () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let browser: Browser;
  let w: Watched;
  let page: Page;

  before(async () => {
    ensureWebBuilt();
    fake = await createFakeUpstream();
    t = await startRelay({ env: oauthEnv(fake) });
    browser = await launch();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    // The probe before login and the refused code are expected failures.
    w = await watchedPage(ctx, (url, status) => (status === 401 && url.includes('/admin/session')) || (status === 400 && url.includes('/exchange')));
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

  async function startFlow(name: string): Promise<string> {
    await page.goto(`${t.url}/web/accounts`);
    await page.getByTestId('account-add').click();
    await page.getByTestId('kind-anthropic-oauth').click();
    await page.getByTestId('acc-name').locator('input').fill(name);
    const generate = page.getByTestId('oauth-generate');
    assert.equal(await generate.isDisabled(), true, 'the link needs the terms acknowledged first');
    await page.getByTestId('oauth-ack').click();
    const started = page.waitForResponse((r) => r.url().endsWith('/admin/oauth/sessions'));
    await generate.click();
    assert.equal((await started).status(), 201);
    return page.getByTestId('oauth-link').locator('input').inputValue();
  }

  test('a wrong code is explained and the dialog stays; regenerate; the callback URL completes', async () => {
    let link = await startFlow('e2e-max');
    assert.ok(link.startsWith(`${fake.url}/oauth/authorize?`));
    await page.getByTestId('oauth-paste').locator('textarea').fill('not-a-real-code#state');
    await page.getByTestId('oauth-exchange').click();
    await page
      .getByTestId('oauth-error')
      .getByText(/expired or was already used/)
      .waitFor();
    await shot(page, 'oauth-error-en-light-1280');
    assert.equal(await page.getByTestId('acc-save').isDisabled(), true, 'nothing to save yet');
    await page.getByTestId('oauth-generate').click(); // Regenerate
    await page.waitForFunction((old) => (document.querySelector('[data-testid=oauth-link] input') as { value?: string } | null)?.value !== old, link);
    link = await page.getByTestId('oauth-link').locator('input').inputValue();
    await page.getByTestId('oauth-paste').locator('textarea').fill(fake.oauth.callbackUrl(link));
    await page.getByTestId('oauth-exchange').click();
    const card = page.getByTestId('oauth-identity');
    await card.getByText('subscriber@example.com').waitFor();
    await card.getByText('max', { exact: true }).waitFor();
    await checkPage(page, 'en', 'oauth flow');
    await shot(page, 'oauth-identity-en-light-1280');
    const saved = page.waitForResponse((r) => r.url().endsWith('/admin/accounts') && r.request().method() === 'POST');
    await page.getByTestId('acc-save').click();
    assert.equal((await saved).status(), 201);
    await page.getByTestId('accounts-table').locator('tr', { hasText: 'e2e-max' }).getByText('subscriber@example.com').waitFor();
  });

  test('the bare code (code#state) completes too', async () => {
    const link = await startFlow('e2e-max-2');
    await page.getByTestId('oauth-paste').locator('textarea').fill(fake.oauth.authorize(link));
    await page.getByTestId('oauth-exchange').click();
    await page.getByTestId('oauth-identity').getByText('subscriber@example.com').waitFor();
    await page.getByTestId('acc-save').click();
    await page.getByTestId('accounts-table').locator('tr', { hasText: 'e2e-max-2' }).waitFor();
    await shot(page, 'accounts-oauth-en-light-1280');
    assert.deepEqual(w.problems, []);
  });

  test('after repeated wrong passwords the login page counts down the lockout', async () => {
    for (let i = 0; i < 10; i++) {
      await fetch(`${t.url}/admin/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: ADMIN.username, password: `wrong-${i}` }),
      });
    }
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    const p = await ctx.newPage();
    await p.goto(`${t.url}/web/login`);
    await p.fill('#username', ADMIN.username);
    await p.fill('#password', ADMIN.password);
    await p.click('[data-testid=login-submit]');
    const msg = p.getByTestId('login-error');
    await msg.getByText(/Too many attempts\. Try again in 1[45]:\d\d\./).waitFor();
    const first = await msg.innerText();
    // The countdown ticks every second; a loaded machine may delay a tick, so wait for it (up to 5 s) instead of
    // sleeping a fixed second.
    const ticked = await p
      .waitForFunction(
        ([sel, before]) => (document.querySelector(sel) as { innerText?: string } | null)?.innerText !== before,
        ['[data-testid=login-error]', first],
        {
          timeout: 5000,
        },
      )
      .then(() => true)
      .catch(() => false);
    assert.ok(ticked, 'the countdown ticks');
    assert.notEqual(await msg.innerText(), first);
    assert.match(await msg.innerText(), /Too many attempts\. Try again in 1[45]:\d\d\./);
    assert.equal(await p.getByTestId('login-submit').isDisabled(), true);
    await shot(p, 'login-locked-en-light-390');
    await ctx.close();
  });
});
