// The relay routes answered ahead of Fastify (src/http/fast-routes.ts): which requests take that path, and that a
// request answered there gets what the same request gets through Fastify (status, headers, body), success and
// error alike, on each surface's relay routes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, type TestRelay } from './support/harness.js';
import { FastRoutes } from '../src/http/fast-routes.js';

/** Counts the requests FastRoutes took (every instance: the relay's own one included). */
let taken = 0;
const handle = FastRoutes.prototype.handle;
FastRoutes.prototype.handle = function (req, res) {
  const took = handle.call(this, req, res);
  if (took) taken++;
  return took;
};

const FAST = 'application/json';
/** A Content-Type the fast path leaves to Fastify; the same body otherwise. */
const VIA_FASTIFY = 'application/json; charset=utf-8';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A response with what differs from one request to the next (ids, dates, timings) masked. */
function comparable(a: Answer): Answer {
  const headers = { ...a.headers };
  for (const h of ['date', 'request-id', 'x-request-id', 'keep-alive', 'connection', 'openai-processing-ms']) delete headers[h];
  // Times the fake upstream derives from the clock (rate-limit resets): two requests may straddle a second.
  for (const [h, v] of Object.entries(headers)) headers[h] = v.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T');
  const body = a.body.replace(/\b(req|msg|resp|chatcmpl|toolu|call)[_-][A-Za-z0-9_-]+/g, '$1_X').replace(/"(created|created_at)":\s*\d+/g, '"$1":0');
  return { status: a.status, headers, body };
}

describe('fast routes', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: string;

  before(async () => {
    fake = await createFakeUpstream();
    t = await startRelay({ env: { REQUEST_MAX_SIZE_MB: '1' } });
    await t.addAccount(fake.url);
    const r = await t.admin('POST', '/accounts', { kind: 'openai-api', name: 'oa', apiKey: 'sk-test-openai', baseUrl: `${fake.url}/v1` });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    await t.relay.pool.reload();
    key = (await t.createKey()).key;
  });
  after(async () => {
    await t.close();
    await fake.close();
  });

  /** Sends one request with the given Content-Type; says whether the fast path took it. */
  async function send(path: string, contentType: string, headers: Record<string, string>, body: string): Promise<Answer & { fast: boolean }> {
    const before = taken;
    const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
    const text = await res.text();
    return { status: res.status, headers: Object.fromEntries(res.headers), body: text, fast: taken > before };
  }

  const anthropic = (stream: boolean) => JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 8, stream, messages: [{ role: 'user', content: 'hi' }] });
  const chat = JSON.stringify({ model: 'claude-sonnet-5', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const responses = JSON.stringify({ model: 'gpt-5.5', stream: true, input: 'hi' });
  const big = JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'x'.repeat(1_200_000) }] });

  const cases: { name: string; path: string; headers: () => Record<string, string>; body: string; status: number }[] = [
    { name: 'messages, JSON answer', path: '/api/v1/messages', headers: () => ({ 'x-api-key': key }), body: anthropic(false), status: 200 },
    {
      name: 'messages, stream, /claude prefix, query',
      path: '/claude/v1/messages?beta=true',
      headers: () => ({ 'x-api-key': key }),
      body: anthropic(true),
      status: 200,
    },
    { name: 'messages, no key', path: '/api/v1/messages', headers: () => ({}), body: anthropic(false), status: 401 },
    { name: 'messages, unknown key', path: '/api/v1/messages', headers: () => ({ 'x-api-key': `cr_${'0'.repeat(64)}` }), body: anthropic(false), status: 401 },
    { name: 'messages, malformed JSON', path: '/api/v1/messages', headers: () => ({ 'x-api-key': key }), body: '{"model":', status: 400 },
    { name: 'messages, no model', path: '/api/v1/messages', headers: () => ({ 'x-api-key': key }), body: '{"max_tokens":1}', status: 400 },
    { name: 'messages, over the body limit', path: '/api/v1/messages', headers: () => ({ 'x-api-key': key }), body: big, status: 413 },
    { name: 'count_tokens', path: '/api/v1/messages/count_tokens', headers: () => ({ 'x-api-key': key }), body: anthropic(false), status: 200 },
    {
      name: 'chat under /api, OpenAI errors',
      path: '/api/v1/chat/completions',
      headers: () => ({ authorization: 'Bearer nope-nope-nope' }),
      body: chat,
      status: 401,
    },
    { name: 'chat converted to Claude', path: '/openai/v1/chat/completions', headers: () => ({ authorization: `Bearer ${key}` }), body: chat, status: 200 },
    { name: 'chat, malformed JSON', path: '/openai/v1/chat/completions', headers: () => ({ authorization: `Bearer ${key}` }), body: '[', status: 400 },
    { name: 'responses', path: '/openai/v1/responses', headers: () => ({ authorization: `Bearer ${key}` }), body: responses, status: 200 },
    { name: 'responses without /v1, no model', path: '/openai/responses', headers: () => ({ authorization: `Bearer ${key}` }), body: '{}', status: 400 },
  ];

  for (const c of cases) {
    test(`${c.name}: the same answer as through Fastify`, async () => {
      const viaFast = await send(c.path, FAST, c.headers(), c.body);
      const viaFastify = await send(c.path, VIA_FASTIFY, c.headers(), c.body);
      assert.equal(viaFast.fast, true, 'the fast path took the request');
      assert.equal(viaFastify.fast, false, 'Fastify took the request');
      assert.equal(viaFast.status, c.status, viaFast.body);
      assert.deepEqual(comparable(viaFast), comparable(viaFastify));
    });
  }

  test('a relayed request on the fast path is recorded once, with its usage', async () => {
    const k = await t.createKey({ name: 'recorded' });
    const r = await send('/api/v1/messages', FAST, { 'x-api-key': k.key }, anthropic(false));
    assert.equal(r.status, 200);
    assert.equal(r.fast, true);
    const rows = await t.recorded(k.id, 1);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, 200);
    assert.ok(rows[0].usage && rows[0].usage.input > 0, JSON.stringify(rows[0]));
  });

  test('other methods, paths and media types go on to Fastify', async () => {
    const before = taken;
    assert.equal((await fetch(`${t.url}/api/v1/messages`, { headers: { 'x-api-key': key } })).status, 404);
    assert.equal((await send('/api/v1/messages/', FAST, { 'x-api-key': key }, anthropic(false))).fast, false);
    assert.equal((await send('/api/v1/Messages', FAST, { 'x-api-key': key }, anthropic(false))).fast, false);
    assert.equal((await send('/api/v1/messages', 'text/plain', { 'x-api-key': key }, anthropic(false))).fast, false);
    assert.equal(taken, before);
  });
});

describe('FastRoutes on a plain node:http server', () => {
  let server: Server;
  let url: string;
  const routes = new FastRoutes();
  const seen: { id: string; body: string; relayKey: unknown }[] = [];
  const keys = {
    authenticate: async (k: string | undefined) => {
      if (k !== 'good-key-123') throw Object.assign(new Error('bad key'), { statusCode: 401 });
      return { id: 'k1' };
    },
  };

  before(async () => {
    routes.add('/x/run', {
      keys: keys as never,
      bodyLimit: 64,
      handler: async (request, reply) => {
        seen.push({ id: request.id, body: String(request.body), relayKey: request.relayKey });
        reply.raw.writeHead(200, { 'content-type': 'text/plain' });
        reply.raw.end('ran');
      },
      errorHandler: (err, request, reply) => {
        const status = (err as { statusCode?: number }).statusCode ?? 500;
        void reply
          .code(status)
          .headers({ 'content-type': 'text/plain', 'x-code': String((err as { code?: string }).code ?? '') })
          .send(`error ${request.id}`);
      },
    });
    server = createServer((req, res) => {
      if (!routes.handle(req, res)) {
        res.writeHead(418);
        res.end('fallback');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const post = (path: string, body: string, key = 'good-key-123') =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body });

  test('runs the handler with the key and the body, a request id of its own each time', async () => {
    const a = await post('/x/run?beta=true', '{"a":1}');
    assert.equal(a.status, 200);
    assert.equal(await a.text(), 'ran');
    await (await post('/x/run', '{"b":2}')).text();
    assert.equal(seen.length, 2);
    assert.deepEqual(seen[0].relayKey, { id: 'k1' });
    assert.equal(seen[0].body, '{"a":1}');
    assert.match(seen[0].id, /^req_/);
    assert.notEqual(seen[0].id, seen[1].id);
  });

  test('a refused key and a body over the limit go to the error handler, the handler never runs', async () => {
    const n = seen.length;
    const denied = await post('/x/run', '{}', 'wrong-key-123');
    assert.equal(denied.status, 401);
    assert.match(await denied.text(), /^error req_/);
    const large = await post('/x/run', JSON.stringify({ pad: 'x'.repeat(100) }));
    assert.equal(large.status, 413);
    assert.equal(large.headers.get('x-code'), 'FST_ERR_CTP_BODY_TOO_LARGE');
    await large.text();
    assert.equal(seen.length, n);
  });

  test('leaves other requests, and every request once closed, to the server', async () => {
    assert.equal((await fetch(`${url}/x/run`)).status, 418);
    assert.equal((await post('/x/other', '{}')).status, 418);
    routes.close();
    assert.equal((await post('/x/run', '{}')).status, 418);
  });
});
