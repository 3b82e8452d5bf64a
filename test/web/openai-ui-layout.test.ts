// The OpenAI pages in Chinese and at phone width (Chromium): the accounts list with both OpenAI kinds, the kind
// picker, the Codex OAuth panel (terms and the localhost note in Chinese), and the key form's per-provider routing.
// No overflow, no raw message keys, screenshots in test/artifacts/. The flows themselves: openai-ui.test.ts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { ADMIN, startRelay, type TestRelay } from '../support/harness.js';
import { browserSkipReason, checkPage, ensureWebBuilt, launch, shot, watchedPage } from './support/browser.js';

const skip = browserSkipReason();
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

describe('OpenAI pages in Chinese and at phone width', { skip: skip ?? false }, () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let browser: Browser;

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
    const api = await t.admin('POST', '/accounts', {
      kind: 'openai-api',
      name: 'e2e-openai',
      apiKey: 'sk-proj-layout-test-account',
      baseUrl: `${fake.url}/v1`,
    });
    assert.equal(api.status, 201, JSON.stringify(api.json));
    const s = await t.admin('POST', '/oauth/sessions', { provider: 'openai' });
    assert.equal(s.status, 201, JSON.stringify(s.json));
    const x = await t.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, { callbackUrl: fake.openaiOAuth.authorize(s.json.authUrl) });
    assert.equal(x.status, 200, JSON.stringify(x.json));
    const oa = await t.admin('POST', '/accounts', { kind: 'openai-oauth', name: 'e2e-codex', oauthSessionId: s.json.sessionId });
    assert.equal(oa.status, 201, JSON.stringify(oa.json));
    await t.relay.pool.reload();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await fake?.close();
  });

  async function login(p: Page): Promise<void> {
    await p.goto(`${t.url}/web/login`);
    await p.fill('#username', ADMIN.username);
    await p.fill('#password', ADMIN.password);
    await Promise.all([p.waitForURL(`${t.url}/web/`), p.click('[data-testid=login-submit]')]);
  }

  test('zh-CN, desktop and phone: accounts, kind picker, Codex OAuth panel, key form', async () => {
    const ctx = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
    const w = await watchedPage(ctx, (url, status) => status === 401 && url.includes('/admin/session'));
    const p = w.page;
    await login(p);
    for (const [vp, tag] of [
      [DESKTOP, '1440'],
      [PHONE, '390'],
    ] as const) {
      await p.setViewportSize(vp);
      await p.goto(`${t.url}/web/accounts`);
      const codex = p.getByTestId('accounts-table').locator('tr, [data-testid=row-card]', { hasText: 'e2e-codex' }).first();
      await codex.getByText('OpenAI Codex OAuth').waitFor();
      await codex.getByText(/codex-user@example\.com · plus/).waitFor();
      await checkPage(p, 'zh-CN', `accounts zh ${tag}`);
      await shot(p, `accounts-openai-zh-light-${tag}`);
      await p.getByTestId('account-add').click();
      await p.getByTestId('provider-openai').getByText('OpenAI', { exact: true }).waitFor();
      await p.getByTestId('provider-anthropic').getByText('Claude（Anthropic）').waitFor();
      await checkPage(p, 'zh-CN', `kinds zh ${tag}`);
      if (tag === '1440') await shot(p, `account-kinds-zh-light-${tag}`);
      await p.getByTestId('kind-openai-oauth').click();
      await p.getByTestId('oauth-localhost').getByText('最后一个页面打不开——这是正常的').waitFor();
      await p
        .getByTestId('oauth-terms')
        .getByText(/OpenAI 的条款/)
        .waitFor();
      await p.getByTestId('oauth-ack').click();
      await p.getByTestId('oauth-generate').click();
      await p.getByTestId('oauth-link').waitFor();
      await p.getByTestId('oauth-paste').scrollIntoViewIfNeeded();
      await checkPage(p, 'zh-CN', `codex oauth zh ${tag}`);
      await shot(p, `oauth-openai-zh-light-${tag}`);
      await p.goto(`${t.url}/web/keys`);
      await p.getByTestId('key-create').click();
      await p.getByTestId('key-routing-openai').waitFor();
      await p.getByTestId('key-routing-openai').scrollIntoViewIfNeeded();
      await checkPage(p, 'zh-CN', `key form zh ${tag}`);
      await shot(p, `key-form-openai-zh-light-${tag}`);
    }
    assert.deepEqual(w.problems, []);
    await ctx.close();
  });

  test('en, phone: the Codex OAuth panel and the OpenAI routing fit', async () => {
    const ctx = await browser.newContext({ viewport: PHONE, locale: 'en-US' });
    const w = await watchedPage(ctx, (url, status) => status === 401 && url.includes('/admin/session'));
    const p = w.page;
    await login(p);
    await p.goto(`${t.url}/web/accounts`);
    await p.getByTestId('account-add').click();
    await p.getByTestId('kind-openai-oauth').click();
    await p.getByTestId('oauth-localhost').scrollIntoViewIfNeeded();
    await checkPage(p, 'en', 'codex oauth phone');
    await shot(p, 'oauth-openai-en-light-390');
    await p.goto(`${t.url}/web/keys`);
    await p.getByTestId('key-create').click();
    await p.getByTestId('key-routing-openai').scrollIntoViewIfNeeded();
    await checkPage(p, 'en', 'key form phone');
    await shot(p, 'key-form-openai-en-light-390');
    assert.deepEqual(w.problems, []);
    await ctx.close();
  });
});
