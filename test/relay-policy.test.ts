// Settings › Relay behaviour, the two relay-wide policies: the client restriction (only the ticked clients may use
// any key; a key can narrow it further) and auto-pause (a subscription account whose 5-hour window reached the
// threshold leaves the rotation until the window resets; a higher threshold or none lifts it at once).
import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, type TestRelay } from './support/harness.js';
import { addOAuthAccount, eventually, oauthEnv } from './support/oauth.js';

const CLAUDE_CODE_HEADERS = { 'user-agent': 'claude-cli/2.1.197 (external, sdk-cli)', 'x-app': 'cli', 'anthropic-beta': 'claude-code-20250219' };
const MSG = { model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'policy' }] };

describe('relay-wide policies', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: { id: string; key: string };

  const post = (headers: Record<string, string> = {}, k = key.key) =>
    fetch(`${t.url}/api/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': k, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(MSG),
    });

  before(async () => {
    fake = await createFakeUpstream();
    t = await startRelay({ env: oauthEnv(fake) });
    key = await t.createKey({ name: 'policy' });
  });
  after(async () => {
    await t?.close();
    await fake?.close();
  });
  afterEach(async () => {
    await t.admin('PATCH', '/settings/relay', { allowedClients: null, autoPauseFiveHourPercent: null });
    for (const a of (await t.admin('GET', '/accounts')).json.items) await t.admin('DELETE', `/accounts/${a.id}`);
    await t.relay.pool.reload();
    fake.reset();
    fake.oauth.reset();
  });

  test('the client restriction: other clients get 403 in their API’s error shape, the ticked one passes, a key narrows it', async () => {
    await addOAuthAccount(t, fake);
    const view = (await t.admin('GET', '/settings/relay')).json;
    assert.deepEqual([view.defaults.allowedClients, view.defaults.autoPauseFiveHourPercent], [[], 0], 'off by default');
    const bad = await t.admin('PATCH', '/settings/relay', { allowedClients: ['claude_code', 'netscape'] });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'VALIDATION_FAILED');
    assert.equal((await post()).status, 200, 'any client while the list is empty');

    const r = await t.admin('PATCH', '/settings/relay', { allowedClients: ['claude_code'] });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const refused = await post();
    assert.equal(refused.status, 403);
    const body = (await refused.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'permission_error');
    assert.match(body.error.message, /relay may only be used from: claude_code/);
    const sent = fake.requests.length;
    assert.equal((await post(CLAUDE_CODE_HEADERS)).status, 200, 'Claude Code passes');
    assert.equal(fake.requests.length, sent + 1, 'the refused request never reached the upstream');

    // The OpenAI surface answers in its own shape.
    const openai = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key.key, maxRetries: 0 });
    await assert.rejects(
      openai.chat.completions.create({ model: 'claude-sonnet-5', messages: [{ role: 'user', content: 'hi' }] }),
      (e: unknown) => e instanceof OpenAI.APIError && e.status === 403 && /relay may only be used from/.test(e.message),
    );

    // Both lists apply: a key limited to Codex cannot be used at all while the relay only takes Claude Code.
    const codexOnly = await t.createKey({ name: 'codex-only', enableClientRestriction: true, allowedClients: ['codex_cli'] });
    assert.equal((await post(CLAUDE_CODE_HEADERS, codexOnly.key)).status, 403);
    await t.admin('PATCH', '/settings/relay', { allowedClients: null });
    assert.equal((await post()).status, 200, 'back to any client');
  });

  test('auto-pause: at the threshold the account leaves the rotation until its 5-hour reset; raising the threshold lifts it', async () => {
    const { id } = await addOAuthAccount(t, fake);
    const sdk = new Anthropic({ baseURL: `${t.url}/api`, apiKey: key.key, maxRetries: 0 });
    assert.equal((await t.admin('PATCH', '/settings/relay', { autoPauseFiveHourPercent: 101 })).status, 400);
    assert.equal((await t.admin('PATCH', '/settings/relay', { autoPauseFiveHourPercent: 90 })).status, 200);

    // 'allowed_warning' reports the 5-hour window 92 % used.
    fake.enqueue({ kind: 'reply', unified: 'allowed_warning' });
    await sdk.messages.create(MSG as Anthropic.MessageCreateParamsNonStreaming);
    const paused = await eventually(async () => {
      const a = (await t.admin('GET', `/accounts/${id}`)).json;
      assert.equal(a.health.state, 'usage_paused', JSON.stringify(a.health));
      return a;
    });
    const reset = Date.parse(paused.windows[0].resetsAt);
    assert.equal(Date.parse(paused.health.availableAt), reset, 'back when the 5-hour window resets');
    assert.match(paused.health.reasons[0].message, /92% used; auto-pause at 90%/);

    const sent = fake.requests.length;
    const refused = await post();
    assert.ok(refused.status === 429 || refused.status === 503, String(refused.status));
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && Math.abs(retryAfter - (reset - Date.now()) / 1000) < 5, `retry-after ${retryAfter}`);
    assert.equal(fake.requests.length, sent, 'no request reached the paused account');

    // A threshold above the last observation lifts the pause on its own (no new traffic is needed to notice).
    assert.equal((await t.admin('PATCH', '/settings/relay', { autoPauseFiveHourPercent: 95 })).status, 200);
    await eventually(async () => assert.equal((await t.admin('GET', `/accounts/${id}`)).json.health.state, 'healthy'));
    assert.equal((await post()).status, 200);

    // Under the threshold nothing is paused; off (0) never pauses.
    fake.enqueue({ kind: 'reply', unified: 'allowed_warning' });
    assert.equal((await post()).status, 200);
    await t.admin('PATCH', '/settings/relay', { autoPauseFiveHourPercent: 0 });
    fake.enqueue({ kind: 'reply', unified: 'allowed_warning' });
    assert.equal((await post()).status, 200);
    assert.equal((await post()).status, 200);
    assert.equal((await t.admin('GET', `/accounts/${id}`)).json.health.state, 'healthy');
  });
});
