// The relay's own errors, in the Anthropic shape: 401, 400, 413, 503, 502, 504 — and the SDK's view of them.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { closedPort, startRelay, type TestRelay } from './support/harness.js';

const BODY = JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] });

async function post(url: string, headers: Record<string, string>, body: string | Buffer = BODY) {
  const res = await fetch(`${url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: JSON.parse(text) };
}

function assertAnthropicError(r: { status: number; json: any }, status: number, type: string, message?: RegExp) {
  assert.equal(r.status, status);
  assert.equal(r.json.type, 'error');
  assert.equal(r.json.error.type, type);
  assert.equal(typeof r.json.error.message, 'string');
  if (message) assert.match(r.json.error.message, message);
  assert.match(r.json.request_id, /^req_/);
}

describe('relay errors', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: string;

  before(async () => {
    fake = await createFakeUpstream();
    t = await startRelay({ env: { REQUEST_MAX_SIZE_MB: '1', UPSTREAM_TIMEOUT_MS: '1000' } });
    key = (await t.createKey()).key;
  });
  after(async () => {
    await t.close();
    await fake.close();
  });

  test('401: missing key, malformed key, unknown key, and the SDK sees AuthenticationError', async () => {
    assertAnthropicError(await post(t.url, {}), 401, 'authentication_error', /Missing API key/);
    assertAnthropicError(await post(t.url, { 'x-api-key': 'short' }), 401, 'authentication_error', /format/);
    assertAnthropicError(await post(t.url, { authorization: `Bearer cr_${'0'.repeat(64)}` }), 401, 'authentication_error', /not found/);
    const sdk = new Anthropic({ baseURL: `${t.url}/api`, apiKey: `cr_${'1'.repeat(64)}`, maxRetries: 0 });
    await assert.rejects(
      sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
      Anthropic.AuthenticationError,
    );
  });

  test('400: malformed JSON, non-object body, missing model', async () => {
    assertAnthropicError(await post(t.url, { 'x-api-key': key }, '{"model":'), 400, 'invalid_request_error', /not valid JSON/);
    assertAnthropicError(await post(t.url, { 'x-api-key': key }, '[1,2]'), 400, 'invalid_request_error', /JSON object/);
    assertAnthropicError(await post(t.url, { 'x-api-key': key }, '{"max_tokens":1}'), 400, 'invalid_request_error', /model/);
    assertAnthropicError(await post(t.url, { 'x-api-key': key }, ''), 400, 'invalid_request_error', /empty/);
  });

  test('413: a body over REQUEST_MAX_SIZE_MB', async () => {
    const big = JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] });
    assertAnthropicError(await post(t.url, { 'x-api-key': key }, big), 413, 'request_too_large', /1 MB/);
  });

  test('503: no account available (and the SDK retries then gives up)', async () => {
    assertAnthropicError(await post(t.url, { 'x-api-key': key }), 503, 'api_error', /No upstream account/);
    await t.relay.recorder.drain();
    const [row] = await t.relay.store.usage.recentRequests(1);
    assert.equal(row.status, 503);
    assert.equal(row.errorCode, 'NO_ACCOUNT');
  });

  test('502: upstream unreachable', async () => {
    const acct = await t.addAccount(`http://127.0.0.1:${await closedPort()}`);
    try {
      assertAnthropicError(await post(t.url, { 'x-api-key': key }), 502, 'api_error', /unreachable/);
    } finally {
      await t.admin('DELETE', `/accounts/${acct.id}`);
      await t.relay.pool.reload();
    }
  });

  test('504: upstream does not answer within UPSTREAM_TIMEOUT_MS (head, or first event); a stream idle mid-way ends with event: error', async () => {
    const acct = await t.addAccount(fake.url);
    const resetHealth = () => t.admin('POST', `/accounts/${acct.id}/reset-health`);
    try {
      fake.enqueue({ kind: 'hang' });
      const started = Date.now();
      assertAnthropicError(await post(t.url, { 'x-api-key': key }), 504, 'api_error', /in time/);
      assert.ok(Date.now() - started >= 900);
      await resetHealth();
      // Head sent, then silence: nothing reached the client yet, so it is still a clean 504 (and failover-able).
      fake.enqueue({ kind: 'hang', afterHeaders: true });
      const silent = await fetch(`${t.url}/api/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 8, stream: true, messages: [{ role: 'user', content: 'x' }] }),
      });
      assert.equal(silent.status, 504);
      assert.equal(((await silent.json()) as any).error.type, 'api_error');
      await resetHealth();
      // First event, then silence longer than the timeout: the stream has started, so it ends with event: error.
      fake.enqueue({ kind: 'reply', stream: { delayMs: 1500 } });
      const res = await fetch(`${t.url}/api/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 8, stream: true, messages: [{ role: 'user', content: 'x' }] }),
      });
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.match(text, /^event: message_start\n/, 'the first event reached the client');
      assert.match(text, /^event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"Upstream did not answer in time"/m);
    } finally {
      await t.admin('DELETE', `/accounts/${acct.id}`);
      await t.relay.pool.reload();
    }
  });

  test('unknown relay routes are 404 in the Anthropic shape; HEAD /api answers for Claude Code’s probe', async () => {
    const res = await fetch(`${t.url}/api/v1/nope`, { headers: { 'x-api-key': key } });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as any).error.type, 'not_found_error');
    assert.equal((await fetch(`${t.url}/api`, { method: 'HEAD' })).status, 200);
    const tel = await fetch(`${t.url}/api/api/event_logging/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"events":[]}' });
    assert.deepEqual(await tel.json(), { success: true });
  });
});
