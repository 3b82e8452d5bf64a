// The OpenAI side of the web admin in Chromium, against the fake's OpenAI personality: the kind picker grouped by
// provider, an openai-api account added through the form (base URL ending in /v1) and tested, the openai-oauth flow
// (the provider's terms before the link, the localhost page that does not load explained, the whole callback URL
// pasted, a refused code explained, the identity card), re-authorisation, the kind filter, and a key limited to
// OpenAI with its OpenAI binding: the once-dialog offers only the setups that can work, on the key-holder page too.
// Chinese and phone-width screenshots of the same pages: openai-ui-layout.test.ts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { ADMIN, startRelay, type TestRelay } from '../support/harness.js';
import { browserSkipReason, checkPage, ensureWebBuilt, launch, shot, watchedPage, type Watched } from './support/browser.js';

// Browser globals used inside page.evaluate callbacks (they run in the page, not in Node).

const skip = browserSkipReason();
const OPENAI_KEY = 'sk-proj-browser-test-openai-account';
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

describe('OpenAI accounts, OAuth and key setup in Chromium', { skip: skip ?? false }, () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let browser: Browser;
  let ctx: BrowserContext;
  let w: Watched;
  let page: Page;
  let codexTerms = '';

  async function login(p: Page): Promise<void> {
    await p.goto(`${t.url}/web/login`);
    await p.fill('#username', ADMIN.username);
    await p.fill('#password', ADMIN.password);
    await Promise.all([p.waitForURL(`${t.url}/web/`), p.click('[data-testid=login-submit]')]);
  }

  before(async () => {
    ensureWebBuilt();
    fake = await createFakeUpstream();
    t = await startRelay({
      env: {
        OPENAI_OAUTH_AUTHORIZE_URL: `${fake.url}/oauth/authorize`,
        OPENAI_OAUTH_TOKEN_URL: `${fake.url}/oauth/token`,
        CODEX_API_URL: `${fake.url}/backend-api/codex`,
      },
    });
    await t.addAccount(fake.url, { name: 'e2e-claude' });
    const meta = await t.admin('GET', '/meta');
    codexTerms = (meta.json.accountKinds as { kind: string; terms: string | null }[]).find((k) => k.kind === 'openai-oauth')?.terms ?? '';
    assert.ok(codexTerms, 'the server states the Codex terms');
    browser = await launch();
    ctx = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
    // The probe before login and the refused code are expected failures.
    w = await watchedPage(ctx, (url, status) => (status === 401 && url.includes('/admin/session')) || (status === 400 && url.includes('/exchange')));
    page = w.page;
    await login(page);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await fake?.close();
  });

  test('the kind picker groups kinds by provider; an openai-api account is added with a /v1 base URL and answers a test', async () => {
    await page.goto(`${t.url}/web/accounts`);
    await page.getByTestId('account-add').click();
    const openai = page.getByTestId('provider-openai');
    await openai.getByText('OpenAI', { exact: true }).waitFor();
    assert.equal(await openai.getByTestId('kind-openai-api').count(), 1);
    assert.equal(await openai.getByTestId('kind-openai-oauth').count(), 1);
    assert.equal(await page.getByTestId('provider-anthropic').getByTestId('kind-anthropic-api').count(), 1);
    await checkPage(page, 'en', 'kind picker');
    await shot(page, 'account-kinds-en-light-1440');
    await openai.getByTestId('kind-openai-api').click();
    await page.getByTestId('acc-kind').getByText('OpenAI API key').waitFor();
    assert.equal(await page.getByTestId('acc-baseurl').locator('input').getAttribute('placeholder'), 'https://api.openai.com/v1');
    await page
      .getByTestId('acc-baseurl-help')
      .getByText(/ending in \/v1/)
      .waitFor();
    await page.getByTestId('acc-name').locator('input').fill('e2e-openai');
    await page.getByTestId('acc-apikey').locator('input').fill(OPENAI_KEY);
    await page.getByTestId('acc-baseurl').locator('input').fill(`${fake.url}/v1`);
    await shot(page, 'account-openai-api-en-light-1440');
    const created = page.waitForResponse((r) => r.url().endsWith('/admin/accounts') && r.request().method() === 'POST');
    await page.getByTestId('acc-save').click();
    const res = await created;
    assert.equal(res.status(), 201);
    const sent = JSON.parse(res.request().postData() ?? '{}');
    assert.equal(sent.kind, 'openai-api');
    assert.equal(sent.apiKey, OPENAI_KEY);
    assert.equal(sent.baseUrl, `${fake.url}/v1`);
    const row = page.getByTestId('accounts-table').locator('tr', { hasText: 'e2e-openai' });
    await row.locator('[data-kind=openai-api]').getByText('OpenAI API key').waitFor();
    await row.locator('[data-state=routable]').waitFor();
    const tested = page.waitForResponse((r) => /\/admin\/accounts\/[^/]+\/test$/.test(r.url()));
    await row.getByTestId('acc-test').click();
    assert.equal(((await (await tested).json()) as { ok: boolean }).ok, true);
    assert.equal(fake.requests.at(-1)?.path, '/v1/responses', 'the test went to <base>/responses');
  });

  async function startCodexFlow(name: string): Promise<string> {
    await page.goto(`${t.url}/web/accounts`);
    await page.getByTestId('account-add').click();
    await page.getByTestId('kind-openai-oauth').click();
    await page.getByTestId('acc-name').locator('input').fill(name);
    const flow = page.getByTestId('oauth-flow');
    assert.equal(await flow.getAttribute('data-provider'), 'openai');
    assert.equal((await page.getByTestId('oauth-terms').innerText()).trim(), codexTerms, 'the terms the server states, before the link');
    await page
      .getByTestId('oauth-localhost')
      .getByText(/localhost:1455\/auth\/callback/)
      .waitFor();
    await page
      .getByTestId('oauth-localhost')
      .getByText(/Copy the whole address/)
      .waitFor();
    assert.equal(await page.getByTestId('oauth-generate').isDisabled(), true, 'the link needs the terms acknowledged first');
    await page.getByTestId('oauth-ack').click();
    const started = page.waitForResponse((r) => r.url().endsWith('/admin/oauth/sessions'));
    await page.getByTestId('oauth-generate').click();
    const res = await started;
    assert.equal(res.status(), 201);
    assert.equal(JSON.parse(res.request().postData() ?? '{}').provider, 'openai');
    return page.getByTestId('oauth-link').locator('input').inputValue();
  }

  test('openai-oauth: terms and the localhost note before the link; a refused code is explained; the whole callback URL completes', async () => {
    const link = await startCodexFlow('e2e-codex');
    assert.ok(link.startsWith(`${fake.url}/oauth/authorize?`), link);
    const state = new URL(link).searchParams.get('state');
    await page.getByTestId('oauth-paste').locator('textarea').fill(`http://localhost:1455/auth/callback?code=ac_not-a-real-code&state=${state}`);
    await page.getByTestId('oauth-exchange').click();
    await page
      .getByTestId('oauth-error')
      .getByText(/expired or was already used/)
      .waitFor();
    assert.equal(await page.getByTestId('acc-save').isDisabled(), true, 'nothing to save yet');
    const callback = fake.openaiOAuth.authorize(link);
    assert.ok(callback.startsWith('http://localhost:1455/auth/callback?code='), callback);
    await page.getByTestId('oauth-paste').locator('textarea').fill(callback);
    await page.getByText(/Code read: ac_/).waitFor();
    await checkPage(page, 'en', 'codex oauth');
    await shot(page, 'oauth-openai-en-light-1440');
    const exchanged = page.waitForResponse((r) => r.url().includes('/exchange'));
    await page.getByTestId('oauth-exchange').click();
    assert.deepEqual(JSON.parse((await exchanged).request().postData() ?? '{}'), { callbackUrl: callback }, 'the whole URL is sent');
    const card = page.getByTestId('oauth-identity');
    await card.getByText('codex-user@example.com').waitFor();
    await card.getByText('plus', { exact: true }).waitFor();
    await shot(page, 'oauth-openai-identity-en-light-1440');
    const saved = page.waitForResponse((r) => r.url().endsWith('/admin/accounts') && r.request().method() === 'POST');
    await page.getByTestId('acc-save').click();
    const res = await saved;
    assert.equal(res.status(), 201);
    assert.equal(JSON.parse(res.request().postData() ?? '{}').kind, 'openai-oauth');
    const row = page.getByTestId('accounts-table').locator('tr', { hasText: 'e2e-codex' });
    await row.getByText('codex-user@example.com').waitFor();
    await row.locator('[data-kind=openai-oauth]').getByText('OpenAI Codex OAuth').waitFor();
  });

  test('re-authorize an openai-oauth account from its menu: same flow, credentials replaced, settings kept', async () => {
    const before = (await t.admin('GET', '/accounts/search?q=e2e-codex')).json.items[0];
    const row = page.getByTestId('accounts-table').locator('tr', { hasText: 'e2e-codex' });
    await row.getByRole('button', { name: 'More' }).click();
    await page.getByText('Re-authorize', { exact: true }).click();
    const form = page.getByTestId('reauth-form');
    await form.getByText('Re-authorize “e2e-codex”').waitFor();
    assert.equal((await form.getByTestId('oauth-terms').innerText()).trim(), codexTerms);
    await form.getByTestId('oauth-ack').click();
    await form.getByTestId('oauth-generate').click();
    const link = await form.getByTestId('oauth-link').locator('input').inputValue();
    await form
      .getByTestId('oauth-paste')
      .locator('textarea')
      .fill(fake.openaiOAuth.authorize(link, { email: 'codex-renewed@example.com' }));
    await form.getByTestId('oauth-exchange').click();
    await form.getByTestId('oauth-identity').getByText('codex-renewed@example.com').waitFor();
    await shot(page, 'reauth-openai-en-light-1440');
    const done = page.waitForResponse((r) => r.url().endsWith(`/admin/accounts/${before.id}/reauthorize`));
    await form.getByTestId('reauth-save').click();
    assert.equal((await done).status(), 200);
    await form.waitFor({ state: 'detached' });
    await page.getByText('“e2e-codex” re-authorized').waitFor();
    const after = (await t.admin('GET', `/accounts/search?q=e2e-codex`)).json.items[0];
    assert.equal(after.id, before.id);
    assert.equal(after.priority, before.priority);
  });

  test('the kind filter is grouped by provider and narrows the list', async () => {
    await page.goto(`${t.url}/web/accounts`);
    await page.getByTestId('accounts-table').locator('tr', { hasText: 'e2e-claude' }).waitFor();
    await page.getByTestId('account-kind-filter').click();
    const menu = page.locator('.n-base-select-menu');
    await menu.getByText('Claude (Anthropic)').waitFor();
    await menu.getByText('OpenAI', { exact: true }).waitFor();
    await shot(page, 'accounts-kind-filter-en-light-1440');
    await menu.getByText('OpenAI API key').click();
    await page.waitForURL(/kind=openai-api/);
    await page.getByTestId('accounts-table').locator('tr', { hasText: 'e2e-claude' }).waitFor({ state: 'detached' });
    await page.getByTestId('accounts-table').locator('tr', { hasText: 'e2e-openai' }).waitFor();
    await checkPage(page, 'en', 'accounts filtered');
  });

  test('a key for OpenAI only, bound to the OpenAI account: the pickers list each provider’s accounts; only working setups are offered', async () => {
    await page.goto(`${t.url}/web/keys`);
    await page.getByTestId('key-create').click();
    await page.getByTestId('key-name').locator('input').fill('e2e-codex-user');
    for (const raw of ['openaiAccountId', 'geminiAccountId'])
      assert.equal(await page.getByTestId('key-form').getByText(raw).count(), 0, `${raw} is laid out as a routing picker, not as a raw field`);
    await page.getByTestId('key-perm-openai').click();
    await page.getByTestId('key-routing-openai').click();
    const options = page.locator('.n-base-select-menu:visible .n-base-select-option');
    await options.first().waitFor();
    const labels = await options.allInnerTexts();
    assert.ok(labels.some((l) => l.includes('e2e-openai')) && labels.some((l) => l.includes('e2e-codex')), labels.join(' | '));
    assert.ok(!labels.some((l) => l.includes('e2e-claude')), `no Claude account in the OpenAI picker: ${labels.join(' | ')}`);
    await options.filter({ hasText: 'e2e-openai' }).click();
    await page.locator('.n-base-select-menu:visible').waitFor({ state: 'hidden' });
    await page.getByTestId('key-routing').click();
    await options.first().waitFor();
    const claudeLabels = await options.allInnerTexts();
    assert.ok(claudeLabels.some((l) => l.includes('e2e-claude')) && !claudeLabels.some((l) => l.includes('e2e-openai')), claudeLabels.join(' | '));
    await page.keyboard.press('Escape');
    await page.getByTestId('key-routing-gemini').waitFor();
    await shot(page, 'key-form-openai-en-light-1440');
    const created = page.waitForResponse((r) => r.url().endsWith('/admin/keys') && r.request().method() === 'POST');
    await page.getByTestId('key-submit').click();
    const res = await created;
    assert.equal(res.status(), 201);
    const sent = JSON.parse(res.request().postData() ?? '{}');
    assert.deepEqual(sent.permissions, ['openai']);
    const openaiAccount = (await t.admin('GET', '/accounts/search?q=e2e-openai')).json.items[0];
    assert.equal(sent.openaiAccountId, openaiAccount.id);
    const key = ((await res.json()) as { key: string }).key;
    const once = page.getByTestId('key-once');
    await once.getByTestId('once-key').getByText(key).waitFor();
    const tabs = await once.locator('[data-testid^=client-]').evaluateAll((els: { dataset: { testid: string } }[]) => els.map((e) => e.dataset.testid));
    assert.deepEqual(tabs, ['client-codex', 'client-openai'], 'Claude Code and Gemini CLI cannot work with this key');
    const codex = await once.getByTestId('snippet-codex-bash').innerText();
    assert.ok(codex.includes(`base_url = "${t.url}/openai/v1"`) && codex.includes('wire_api = "responses"') && codex.includes(`RELAY_API_KEY="${key}"`), codex);
    await once.getByText('OpenAI SDK / compatible tools').click();
    const sdk = await once.getByTestId('snippet-openai-bash').innerText();
    assert.ok(sdk.includes(`OPENAI_BASE_URL="${t.url}/openai/v1"`) && sdk.includes(`OPENAI_API_KEY="${key}"`), sdk);
    const verify = await once.getByTestId('verify-openai-bash').innerText();
    assert.ok(verify.includes('/chat/completions') && verify.includes('"model":"gpt-5-mini"'), `an OpenAI model for an OpenAI-only key: ${verify}`);
    await checkPage(page, 'en', 'once openai');
    await shot(page, 'key-once-openai-en-light-1440');
    await once.getByTestId('shell-powershell').click();
    await once
      .getByTestId('verify-openai-powershell')
      .getByText(/Invoke-RestMethod @req/)
      .waitFor();
    await shot(page, 'key-once-openai-powershell-en-light-1440');
    await once.getByTestId('once-saved').click();
    await once.waitFor({ state: 'detached' });

    // The key-holder page shows the same choice, with a placeholder key.
    const pub = await browser.newContext({ viewport: PHONE, locale: 'en-US' });
    const s = await watchedPage(pub);
    await s.page.goto(`${t.url}/web/stats`);
    await s.page.getByTestId('stats-key').locator('input').fill(key);
    await s.page.getByTestId('stats-submit').click();
    await s.page.getByTestId('stats-name').getByText('e2e-codex-user').waitFor();
    const snippets = s.page.getByTestId('setup-snippets');
    const pubTabs = await snippets.locator('[data-testid^=client-]').evaluateAll((els: { dataset: { testid: string } }[]) => els.map((e) => e.dataset.testid));
    assert.deepEqual(pubTabs, ['client-codex', 'client-openai']);
    assert.ok((await snippets.getByTestId('snippet-codex-bash').innerText()).includes('RELAY_API_KEY="<your key>"'));
    await snippets.getByTestId('client-openai').click();
    await snippets.getByTestId('snippet-openai-bash').scrollIntoViewIfNeeded();
    await checkPage(s.page, 'en', 'stats openai');
    await shot(s.page, 'stats-setup-openai-en-light-390');
    await s.page.getByTestId('lang-switch').click();
    await snippets.getByText('OpenAI SDK / 兼容工具').waitFor();
    await checkPage(s.page, 'zh-CN', 'stats openai zh');
    await shot(s.page, 'stats-setup-openai-zh-light-390');
    assert.deepEqual(s.problems, []);
    await pub.close();
    assert.deepEqual(w.problems, [], 'no console errors or unexpected failed requests');
  });
});
