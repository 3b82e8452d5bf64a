// Codex's wire end to end: the official OpenAI SDK's Responses API (and raw Codex-shaped requests) → the relay's
// /openai surface → an openai-api account on the fake, passed through byte for byte; usage from
// response.completed; failover between OpenAI accounts; chat passthrough with usage metered.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import OpenAI from 'openai';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, type TestRelay } from './support/harness.js';

const KEY_A = 'sk-openai-account-A-aaaa';
const KEY_B = 'sk-openai-account-B-bbbb';
const CODEX_HEADERS = {
  'user-agent': 'codex_exec/0.171.0 (Debian 12.0.0; x86_64) xterm (codex_exec; 0.171.0)',
  originator: 'codex_exec',
  accept: 'text/event-stream',
  'content-type': 'application/json',
};

/** Sends a WebSocket upgrade request (fetch cannot) and returns the answer's status line. */
function websocketUpgrade(url: string, key: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname, () =>
      sock.write(
        `GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${key}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOpenAI-Beta: responses_websockets=2026-02-06\r\n\r\n`,
      ),
    );
    sock.once('data', (d) => {
      resolve(String(d).split('\r\n')[0]);
      sock.destroy();
    });
    sock.once('error', reject);
  });
}

const usedKeys = (fake: FakeUpstream, path = '/v1/responses') => fake.requests.filter((r) => r.path === path).map((r) => r.headers.authorization);

describe('OpenAI Responses and chat on OpenAI accounts', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: { id: string; key: string };
  let sdk: OpenAI;
  const ids: Record<string, string> = {};
  let conv = 0;

  const addOpenAI = async (name: string, apiKey: string, priority: number) => {
    const r = await t.admin('POST', '/accounts', { kind: 'openai-api', name, apiKey, baseUrl: `${fake.url}/v1`, priority });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json.id as string;
  };

  before(async () => {
    fake = await createFakeUpstream();
    t = await startRelay({ env: { FAILOVER_MAX_ATTEMPTS: '3' } });
    ids.A = await addOpenAI('A', KEY_A, 1);
    ids.B = await addOpenAI('B', KEY_B, 2);
    await t.relay.pool.reload();
    key = await t.createKey({ name: 'codex' });
    sdk = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key.key, maxRetries: 0 });
  });
  after(async () => {
    await t.close();
    await fake.close();
  });
  beforeEach(async () => {
    fake.reset();
    conv++;
    for (const id of Object.values(ids)) await t.admin('POST', `/accounts/${id}/reset-health`);
  });

  test('Responses, not streamed: the body reaches the upstream byte for byte with the account key; usage recorded', async () => {
    fake.enqueue({ kind: 'responses_reply', text: 'Done.', usage: { input_tokens: 1200, cached_tokens: 1000, output_tokens: 9 } });
    const r = await sdk.responses.create({ model: 'gpt-5.5', input: `hello ${conv}`, store: false });
    assert.equal(r.output_text, 'Done.');
    const up = fake.requests[0];
    assert.equal(up.path, '/v1/responses');
    assert.equal(up.headers.authorization, `Bearer ${KEY_A}`);
    assert.ok(!JSON.stringify(up.headers).includes(key.key), 'the relay key never goes upstream');
    assert.deepEqual(up.json, { model: 'gpt-5.5', input: `hello ${conv}`, store: false });
    const [row] = await t.recorded(key.id);
    assert.equal(row.endpoint, '/v1/responses');
    assert.equal(row.accountId, ids.A);
    assert.deepEqual([row.usage?.input, row.usage?.cacheRead, row.usage?.output], [200, 1000, 9], 'cached tokens split out of input_tokens');
    assert.ok(row.costNanos > 0, 'gpt-5.5 is priced from the bundled table');
  });

  test('Responses stream (the SDK): events pass through unchanged and end with response.completed', async () => {
    fake.enqueue({ kind: 'responses_reply', scenario: 'function_call' });
    const stream = sdk.responses.stream({
      model: 'gpt-5.5',
      input: [{ role: 'user', content: `list files ${conv}` }],
      tools: [
        {
          type: 'function',
          name: 'shell',
          description: 'run',
          strict: false,
          parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'] },
        },
      ],
    });
    const types: string[] = [];
    for await (const ev of stream) types.push(ev.type);
    const final = await stream.finalResponse();
    assert.equal(types.at(-1), 'response.completed');
    assert.ok(types.includes('response.function_call_arguments.delta'));
    const call = final.output.find((o) => o.type === 'function_call');
    assert.equal(call?.type === 'function_call' ? call.name : null, 'shell');
    const [row] = await t.recorded(key.id, 2);
    assert.equal(row.stream, true);
    assert.ok((row.usage?.output ?? 0) > 0);
  });

  test('a Codex CLI request: raw SSE bytes identical to the upstream’s, session headers forwarded, conversation sticky', async () => {
    const session = `0b7e5c1e-5b8e-4bde-9d43-${String(conv).padStart(12, '0')}`;
    const body = JSON.stringify({
      model: 'gpt-5.5',
      stream: true,
      store: false,
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix foo.py 多字节' }] }],
      tools: [{ type: 'custom', name: 'apply_patch', format: { type: 'grammar' } }],
      prompt_cache_key: session,
      include: ['reasoning.encrypted_content'],
    });
    const post = () =>
      fetch(`${t.url}/openai/v1/responses`, {
        method: 'POST',
        headers: { ...CODEX_HEADERS, authorization: `Bearer ${key.key}`, 'session-id': session, 'thread-id': session },
        body,
      });
    fake.enqueue({ kind: 'responses_reply', scenario: 'reasoning', stream: { chunking: 'random', seed: 7 } });
    const res = await post();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(res.headers.get('x-ratelimit-remaining-requests') !== undefined, true);
    const text = await res.text();
    assert.ok(text.includes('event: response.completed'));
    const up = fake.requests[0];
    assert.equal(up.headers['session-id'], session);
    assert.equal(up.headers.originator, 'codex_exec');
    assert.equal(up.headers['accept-encoding'], 'identity');
    assert.ok(up.body.equals(Buffer.from(body)), 'request bytes unchanged');
    // A 429 on A moves this conversation to B; it then stays on B (sticky) even once A is healthy again.
    fake.enqueue({ kind: 'error', status: 503 }, { apiKey: KEY_A });
    const second = await post();
    assert.equal(second.status, 200);
    await second.text();
    await t.admin('POST', `/accounts/${ids.A}/reset-health`);
    fake.enqueue({ kind: 'responses_reply' });
    await (await post()).text();
    assert.deepEqual(usedKeys(fake), [`Bearer ${KEY_A}`, `Bearer ${KEY_A}`, `Bearer ${KEY_B}`, `Bearer ${KEY_B}`]);
  });

  test('429 on one OpenAI account fails over to the next; the first cools down until its reset', async () => {
    fake.enqueue({ kind: 'error', status: 429, retryAfter: 120 }, { apiKey: KEY_A });
    const r = await sdk.responses.create({ model: 'gpt-5.5', input: `failover ${conv}` });
    assert.ok(r.id);
    assert.deepEqual(usedKeys(fake), [`Bearer ${KEY_A}`, `Bearer ${KEY_B}`]);
    const a = (await t.admin('GET', `/accounts/${ids.A}`)).json;
    assert.equal(a.health.routable, false);
    assert.equal(a.health.reasons[0].httpStatus, 429);
    const until = Date.parse(a.health.availableAt);
    assert.ok(until > Date.now() + 100_000 && until < Date.now() + 125_000, `cooldown from the upstream's reset (${a.health.availableAt})`);
    await sdk.responses.create({ model: 'gpt-5.5', input: `again ${conv}` });
    assert.deepEqual(usedKeys(fake).slice(2), [`Bearer ${KEY_B}`], 'A is skipped while cooling');
  });

  test('a stream that opens with response.failed (rate limit) fails over too; insufficient quota on every account reaches the client', async () => {
    fake.enqueue({ kind: 'responses_reply', failed: { code: 'rate_limit_exceeded', afterEvents: 0 } }, { apiKey: KEY_A });
    const stream = sdk.responses.stream({ model: 'gpt-5.5', input: `x ${conv}` });
    const final = await stream.finalResponse();
    assert.equal(final.status, 'completed');
    assert.deepEqual(usedKeys(fake), [`Bearer ${KEY_A}`, `Bearer ${KEY_B}`]);
    await t.admin('POST', `/accounts/${ids.A}/reset-health`);
    fake.enqueue({ kind: 'error', status: 429, code: 'insufficient_quota', type: 'insufficient_quota' }, { times: 2 });
    await assert.rejects(sdk.responses.create({ model: 'gpt-5.5', input: 'y' }), (e: InstanceType<typeof OpenAI.APIError>) => {
      assert.equal(e.status, 429);
      assert.equal(e.code, 'insufficient_quota', 'the upstream’s own error body');
      return true;
    });
  });

  test('compact path, model list, WebSocket refusal, and a key without the openai permission', async () => {
    fake.enqueue({ kind: 'responses_reply' });
    const c = await fetch(`${t.url}/openai/responses/compact`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.5', input: 'compact me' }),
    });
    assert.equal(c.status, 200);
    assert.equal(fake.requests.at(-1)?.path, '/v1/responses/compact');
    const statusLine = await websocketUpgrade(`${t.url}/openai/v1/responses`, key.key);
    assert.match(statusLine, /^HTTP\/1\.1 426 /, 'a clean 426, never a 101');
    const models = await sdk.models.list();
    const names = models.data.map((m) => m.id);
    assert.ok(names.includes('gpt-5.5') && names.some((n) => n.startsWith('claude-')));
    const claudeOnly = await t.createKey({ name: 'claude only', permissions: ['claude'] });
    const other = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: claudeOnly.key, maxRetries: 0 });
    await assert.rejects(
      other.responses.create({ model: 'gpt-5.5', input: 'no' }),
      (e: InstanceType<typeof OpenAI.APIError>) => e.status === 403 && /openai/.test(e.message),
    );
    assert.ok(
      (await other.models.list()).data.every((m) => m.id.startsWith('claude-')),
      'the list shows only what the key may use',
    );
    const all = await t.createKey({ name: 'all', permissions: 'all' });
    assert.equal(
      (await t.admin('GET', `/api-keys/${all.id}`)).json.permissions?.length ?? (await t.admin('GET', `/api-keys/${all.id}`)).json.limits?.permissions?.length,
      0,
      '"all" means every service',
    );
  });

  test('Codex-only keys: the client filter recognises Codex CLI', async () => {
    const codexOnly = await t.createKey({ name: 'codex only', enableClientRestriction: true, allowedClients: ['codex_cli'] });
    fake.enqueue({ kind: 'responses_reply' });
    const ok = await fetch(`${t.url}/openai/v1/responses`, {
      method: 'POST',
      headers: { ...CODEX_HEADERS, authorization: `Bearer ${codexOnly.key}` },
      body: JSON.stringify({ model: 'gpt-5.5', input: 'hi', stream: true }),
    });
    assert.equal(ok.status, 200);
    await ok.text();
    const other = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: codexOnly.key, maxRetries: 0 });
    await assert.rejects(other.responses.create({ model: 'gpt-5.5', input: 'no' }), (e: InstanceType<typeof OpenAI.APIError>) => e.status === 403);
  });

  test('chat with a non-Claude model passes through to an OpenAI account; a stream is metered even when the client did not ask for usage', async () => {
    fake.enqueue({ kind: 'chat_reply', text: 'hi there', usage: { prompt_tokens: 40, cached_tokens: 30, completion_tokens: 2 } });
    const stream = await sdk.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: `chat ${conv}` }], stream: true });
    let text = '';
    let sawUsage = false;
    for await (const ch of stream) {
      text += ch.choices[0]?.delta.content ?? '';
      if (ch.usage) sawUsage = true;
    }
    assert.equal(text, 'hi there');
    assert.equal(sawUsage, false, 'the client did not ask for usage, so it sees none');
    const up = fake.requests.find((r) => r.path === '/v1/chat/completions');
    assert.deepEqual((up?.json as { stream_options?: unknown }).stream_options, { include_usage: true });
    const [row] = await t.recorded(key.id, 1);
    assert.equal(row.endpoint, '/v1/chat/completions');
    assert.deepEqual([row.usage?.input, row.usage?.cacheRead, row.usage?.output], [10, 30, 2]);
    fake.enqueue({ kind: 'chat_reply', scenario: 'tool_calls', toolCallStreaming: 'interleaved' });
    const r = await sdk.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'weather' }] });
    assert.equal(r.choices[0].finish_reason, 'tool_calls');
    assert.equal(r.choices[0].message.tool_calls?.length, 2);
  });
});
