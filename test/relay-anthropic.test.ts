// End to end: the official Anthropic SDK → the relay → the fake Anthropic upstream.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { Socket } from 'node:net';
import { Agent, request } from 'undici';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, type TestRelay } from './support/harness.js';

const ACCOUNT_KEY = 'sk-ant-api03-account-secret-AAAA';

const recorded = (t: TestRelay, keyId: string, count = 1) => t.recorded(keyId, count);

describe('Anthropic relay end to end', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: { id: string; key: string };
  let accountId: string;
  let sdk: Anthropic;
  let sentBodies: Buffer[];

  before(async () => {
    fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY] });
    t = await startRelay();
    accountId = (await t.addAccount(fake.url, { apiKey: ACCOUNT_KEY })).id;
    key = await t.createKey({ name: 'e2e' });
    sentBodies = [];
    // A fetch that remembers the exact bytes the SDK sent, to compare with what reached the upstream.
    const capturingFetch: typeof fetch = async (input, init) => {
      if (init?.body) sentBodies.push(Buffer.from(init.body as string));
      return fetch(input, init);
    };
    sdk = new Anthropic({ baseURL: `${t.url}/api`, apiKey: key.key, maxRetries: 0, fetch: capturingFetch });
  });
  after(async () => {
    await t.close();
    await fake.close();
  });
  beforeEach(async () => {
    fake.reset();
    fake.setApiKeys([ACCOUNT_KEY]);
    sentBodies.length = 0;
    // one account only: a test that makes it cool down must not starve the next one
    await t.admin('POST', `/accounts/${accountId}/reset-health`);
  });

  test('non-streaming: the body reaches the upstream byte for byte, with the account key and no client key', async () => {
    const msg = await sdk.messages.create({
      model: 'claude-sonnet-5',
      max_tokens: 64,
      system: [{ type: 'text', text: 'Be terse. 多字节', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'hello relay' }],
      metadata: { user_id: 'u-1' },
    });
    assert.equal(msg.type, 'message');
    assert.match((msg.content[0] as Anthropic.TextBlock).text, /hello relay/);
    assert.equal(fake.requests.length, 1);
    const up = fake.requests[0];
    assert.equal(up.path, '/v1/messages');
    assert.ok(up.body.equals(sentBodies[0]), 'forwarded body is byte-identical');
    assert.equal(up.headers['x-api-key'], ACCOUNT_KEY);
    assert.equal(up.headers.authorization, undefined);
    assert.ok(!JSON.stringify(up.headers).includes(key.key), 'the relay key never goes upstream');
    assert.match(up.headers['anthropic-version'] ?? '', /^\d{4}-\d{2}-\d{2}$/, 'the client anthropic-version is forwarded');
    assert.equal(up.headers['accept-encoding'], 'identity');
    assert.match(up.headers['user-agent'] ?? '', /Anthropic\/JS/);
    assert.equal(up.headers['x-stainless-lang'], 'js');
  });

  test('streaming with random chunking: the SDK rebuilds the same message; request-id and SSE headers come through', async () => {
    fake.enqueue({ kind: 'reply', text: 'streamed ✓ 多字节 answer', stream: { chunking: 'random', pings: 2, unknownEvents: true } });
    const stream = sdk.messages.stream({ model: 'claude-sonnet-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    const final = await stream.finalMessage();
    assert.equal((final.content[0] as Anthropic.TextBlock).text, 'streamed ✓ 多字节 answer');
    assert.equal(final.stop_reason, 'end_turn');
    const { response } = await stream.withResponse();
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.match(response.headers.get('request-id') ?? '', /^req_/);
    assert.equal(response.headers.get('x-accel-buffering'), 'no');
    assert.ok(response.headers.get('anthropic-ratelimit-requests-limit'), 'rate-limit headers pass through');
    assert.equal(response.headers.get('anthropic-organization-id'), null, 'the upstream org id is not exposed');
  });

  test('raw SSE bytes reach the client unchanged', async () => {
    fake.enqueue({ kind: 'reply', text: 'exact bytes', stream: { pings: 1, unknownEvents: true, crlf: true } });
    const direct = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': ACCOUNT_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    const directText = await direct.text();
    fake.enqueue({ kind: 'reply', text: 'exact bytes', stream: { pings: 1, unknownEvents: true, crlf: true } });
    const relayed = await fetch(`${t.url}/api/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    const relayedText = await relayed.text();
    // ids and timestamps differ per response; everything else is identical, CRLFs and unknown events included
    const norm = (s: string) => s.replace(/msg_[A-Za-z0-9]+/g, 'msg_X').replace(/toolu_[A-Za-z0-9]+/g, 'toolu_X');
    assert.equal(norm(relayedText), norm(directText));
    assert.ok(relayedText.includes('\r\n'));
  });

  test('a stream that arrives in pieces ends in the same socket write as its last event (no write of its own for the end)', async () => {
    // What the relay's socket writes for each client connection, write by write.
    const writes: string[] = [];
    const record = (socket: Socket) => {
      const writev = socket._writev!.bind(socket);
      const write = socket._write.bind(socket);
      socket._writev = (chunks, cb) => {
        writes.push(chunks.map((c) => Buffer.from(c.chunk as Buffer).toString('latin1')).join(''));
        writev(chunks, cb);
      };
      socket._write = (chunk, encoding, cb) => {
        writes.push(Buffer.from(chunk as Buffer).toString('latin1'));
        write(chunk, encoding, cb);
      };
    };
    t.relay.app.server.on('connection', record);
    try {
      // One upstream write per event, 15 ms apart: the last event comes in a socket read of its own.
      fake.enqueue({ kind: 'reply', text: 'one two three', stream: { delayMs: 15 } });
      // A connection of its own (fetch would reuse one opened before the listener).
      const agent = new Agent();
      const res = await request(`${t.url}/api/v1/messages`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'x-api-key': key.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] }),
      });
      const text = await res.body.text();
      await agent.close();
      assert.ok(text.includes('event: message_stop'));
      assert.ok(writes.length >= 3, `the events went out as they came (${writes.length} writes)`);
      const last = writes.at(-1)!;
      assert.ok(last.includes('event: message_stop') && last.endsWith('0\r\n\r\n'), `last write: ${JSON.stringify(last.slice(-80))}`);
    } finally {
      t.relay.app.server.off('connection', record);
    }
  });

  test('tool use stream: the SDK parses the tool input', async () => {
    fake.enqueue({ kind: 'reply', scenario: 'tool_use', stream: { chunking: 'byte' } });
    const final = await sdk.messages
      .stream({
        model: 'claude-sonnet-5',
        max_tokens: 256,
        tools: [
          { name: 'get_weather', description: 'weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        ],
        messages: [{ role: 'user', content: 'weather in Paris?' }],
      })
      .finalMessage();
    assert.equal(final.stop_reason, 'tool_use');
    const tool = final.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock;
    assert.equal(tool.name, 'get_weather');
    assert.equal(typeof (tool.input as Record<string, unknown>).city, 'string');
  });

  test('Claude Code path (?beta=true), beta headers, and the /claude alias with a bearer key', async () => {
    const cc = await fetch(`${t.url}/api/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key.key}`,
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
        'user-agent': 'claude-cli/2.1.197 (external, sdk-cli)',
        'x-app': 'cli',
      },
      body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'b' }] }),
    });
    assert.equal(cc.status, 200);
    await cc.text();
    assert.equal(fake.requests[0].path, '/v1/messages');
    assert.equal(fake.requests[0].query.beta, 'true');
    assert.equal(fake.requests[0].headers['anthropic-beta'], 'claude-code-20250219,interleaved-thinking-2025-05-14');
    assert.equal(fake.requests[0].headers['user-agent'], 'claude-cli/2.1.197 (external, sdk-cli)');
    assert.equal(fake.requests[0].headers['anthropic-version'], '2023-06-01');
    const viaClaude = new Anthropic({ baseURL: `${t.url}/claude`, authToken: key.key, apiKey: null, maxRetries: 0 });
    const m = await viaClaude.messages.create({ model: 'claude-sonnet-5', max_tokens: 16, messages: [{ role: 'user', content: 'via bearer' }] });
    assert.match((m.content[0] as Anthropic.TextBlock).text, /via bearer/);
    assert.equal(fake.requests[1].headers.authorization, undefined, 'the client bearer is not forwarded');
  });

  test('count_tokens is relayed and not recorded as usage', async () => {
    await t.relay.recorder.drain();
    const before = (await t.relay.store.usage.recentRequests(1000, { keyId: key.id })).length;
    const r = await sdk.messages.countTokens({ model: 'claude-sonnet-5', messages: [{ role: 'user', content: 'count me' }] });
    assert.ok(r.input_tokens > 0);
    assert.equal(fake.requests[0].path, '/v1/messages/count_tokens');
    await t.relay.recorder.drain();
    assert.equal((await t.relay.store.usage.recentRequests(1000, { keyId: key.id })).length, before);
  });

  test('models list: the SDK paginator reads the Anthropic shape', async () => {
    const ids: string[] = [];
    for await (const m of sdk.models.list({ limit: 3 })) ids.push(m.id);
    assert.ok(ids.length >= 5);
    assert.ok(ids.includes('claude-sonnet-4-5-20250929'));
    const one = await sdk.models.retrieve('claude-haiku-4-5-20251001');
    assert.equal(one.display_name, 'Claude Haiku 4.5');
    await assert.rejects(sdk.models.retrieve('claude-nope'), (e: unknown) => e instanceof Anthropic.NotFoundError);
  });

  test('upstream 429 surfaces as RateLimitError with retry-after; 529 as overloaded; no usage billed', async () => {
    fake.enqueue({ kind: 'error', status: 429, retryAfter: 17 });
    await assert.rejects(sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof Anthropic.RateLimitError);
      assert.equal(e.status, 429);
      assert.equal(e.headers?.get('retry-after'), '17');
      assert.equal((e.error as any)?.error?.type, 'rate_limit_error');
      return true;
    });
    // The only account now cools down until the announced retry-after: the relay answers for it, without a call.
    const callsBefore = fake.requests.length;
    await assert.rejects(sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof Anthropic.RateLimitError);
      const ra = Number(e.headers?.get('retry-after'));
      assert.ok(ra >= 16 && ra <= 17, `retry-after ${ra}`);
      assert.match(e.message, /rate-limited/);
      return true;
    });
    assert.equal(fake.requests.length, callsBefore, 'no upstream call while the account cools down');
    await t.admin('POST', `/accounts/${accountId}/reset-health`);
    fake.enqueue({ kind: 'error', status: 529 });
    await assert.rejects(
      sdk.messages.stream({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }).finalMessage(),
      (e: unknown) => {
        assert.ok(e instanceof Anthropic.APIError);
        assert.equal(e.status, 529);
        assert.equal(e.error?.error?.type, 'overloaded_error');
        return true;
      },
    );
  });

  test('usage and cost are recorded once per request, with every token kind, and /admin/usage shows them', async () => {
    const k = await t.createKey({ name: 'usage' });
    const client = new Anthropic({ baseURL: `${t.url}/api`, apiKey: k.key, maxRetries: 0 });
    const usage = {
      input_tokens: 100,
      output_tokens: 50,
      cache_read_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
    };
    fake.enqueue({ kind: 'reply', usage });
    await client.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'a' }] });
    fake.enqueue({ kind: 'reply', usage, usageInDelta: true, stream: { chunking: 'random', startUsage: { output_tokens: 1 } } });
    await client.messages.stream({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'b' }] }).finalMessage();
    const rows = await recorded(t, k.id, 2);
    assert.equal(rows.length, 2);
    for (const r of rows) {
      assert.deepEqual(r.usage, { input: 100, output: 50, cacheWrite5m: 1000, cacheWrite1h: 2000, cacheRead: 3000 });
      // Sonnet 5: $2 in, $10 out, $2.50 5m write, $4 1h write, $0.20 read per MTok
      assert.equal(r.costNanos, 11_800_000);
      assert.equal(r.accountId, accountId);
      assert.equal(r.status, 200);
      assert.equal(r.partial, false);
    }
    assert.deepEqual(rows.map((r) => r.stream).sort(), [false, true]);
    const report = await t.admin('GET', `/usage?keyId=${k.id}&granularity=hour`);
    assert.equal(report.status, 200);
    assert.equal(report.json.totals.requests, 2);
    assert.equal(report.json.totals.output, 100);
    assert.equal(report.json.totals.cacheWrite1h, 4000);
    assert.equal(report.json.totals.costMicros, 23_600);
    assert.equal(report.json.totals.costUsd, 0.0236);
    const byAccount = await t.admin('GET', `/usage?accountId=${accountId}&model=claude-sonnet-5&granularity=day`);
    assert.ok(byAccount.json.totals.requests >= 2);
    const otherModel = await t.admin('GET', `/usage?keyId=${k.id}&model=claude-haiku-4-5&granularity=month`);
    assert.equal(otherModel.json.totals.requests, 0);
  });

  test('a client that disconnects mid-stream aborts the upstream; usage so far is recorded as partial', async () => {
    const k = await t.createKey({ name: 'abort' });
    const client = new Anthropic({ baseURL: `${t.url}/api`, apiKey: k.key, maxRetries: 0 });
    fake.enqueue({
      kind: 'reply',
      text: 'one two three four five six seven eight nine ten',
      usage: { input_tokens: 420, output_tokens: 99 },
      stream: { delayMs: 40, startUsage: { output_tokens: 1 } },
    });
    const stream = client.messages.stream({ model: 'claude-sonnet-5', max_tokens: 64, messages: [{ role: 'user', content: 'slow' }] });
    const ended = stream.done().catch((e: unknown) => e);
    await new Promise<void>((resolve) => stream.on('text', () => resolve()));
    stream.abort();
    assert.ok((await ended) instanceof Anthropic.APIUserAbortError);
    await fake.waitForAborted(1, 3000);
    const [row] = await recorded(t, k.id);
    assert.ok(row, 'usage recorded');
    assert.equal(row.partial, true);
    assert.equal(row.status, 499);
    assert.equal(row.usage.input, 420);
    assert.equal(row.usage.output, 1, 'output as last reported before the cut');
    assert.ok(row.costNanos > 0);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await t.relay.store.usage.recentRequests(10, { keyId: k.id })).length, 1, 'exactly once');
  });

  test('an upstream that drops mid-stream ends the client stream with event: error (and is billed as partial)', async () => {
    const k = await t.createKey({ name: 'drop' });
    fake.enqueue({ kind: 'reply', usage: { input_tokens: 10 }, stream: { dropAfterEvents: 3 } });
    const res = await fetch(`${t.url}/api/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': k.key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /event: message_start/);
    const tail = text.trimEnd().split('\n\n').at(-1)!;
    assert.match(tail, /^event: error\ndata: /);
    const data = JSON.parse(tail.split('\n')[1].slice(6));
    assert.equal(data.type, 'error');
    assert.equal(data.error.type, 'api_error');
    const [row] = await recorded(t, k.id);
    assert.equal(row.partial, true);
    assert.equal(row.errorCode, 'UPSTREAM_STREAM_ERROR');
    assert.equal(row.usage.input, 10);

    fake.enqueue({ kind: 'reply', stream: { errorAfterEvents: 2 } });
    const sdkErr = new Anthropic({ baseURL: `${t.url}/api`, apiKey: k.key, maxRetries: 0 });
    await assert.rejects(
      sdkErr.messages.stream({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }).finalMessage(),
      (e: unknown) => {
        assert.ok(e instanceof Anthropic.APIError);
        return true;
      },
    );
  });

  test('hop-by-hop, cookie and forwarding headers never go upstream', async () => {
    await fetch(`${t.url}/api/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': key.key,
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        cookie: 'session=secret',
        'x-forwarded-for': '10.1.2.3',
        'proxy-authorization': 'Basic abc',
        te: 'trailers',
        'x-custom-internal': 'nope',
        'x-stainless-os': 'Linux',
        'x-app': 'cli',
      },
      body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    });
    const h = fake.requests[0].headers;
    for (const name of ['cookie', 'x-forwarded-for', 'proxy-authorization', 'te', 'x-custom-internal', 'authorization']) assert.equal(h[name], undefined, name);
    assert.equal(h['x-stainless-os'], 'Linux');
    assert.equal(h['x-app'], 'cli');
  });

  test('a disabled key stops working at once', async () => {
    const k = await t.createKey({ name: 'to-disable' });
    const client = new Anthropic({ baseURL: `${t.url}/api`, apiKey: k.key, maxRetries: 0 });
    await client.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] });
    await t.admin('PATCH', `/api-keys/${k.id}`, { isActive: false });
    await assert.rejects(client.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof Anthropic.AuthenticationError);
      assert.match(e.message, /disabled/);
      return true;
    });
  });
});
