// P8 item 1: a stranger cannot make the relay buffer large bodies. Relay keys are checked from the headers before
// any body byte is read, public routes take only small bodies, and a declared length over the cap is refused at once.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { startRelay, type TestRelay } from '../support/harness.js';

/**
 * Sends the head of a POST that announces `length` body bytes, then only `sent` of them, and returns the status
 * line the relay answers with before the body is complete (or 'no answer' after `waitMs`).
 */
function answerBeforeBody(url: string, path: string, headers: Record<string, string>, length: number, sent: number, waitMs = 1500): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = connect(Number(u.port), u.hostname, () => {
      const head = Object.entries({ host: u.host, 'content-type': 'application/json', 'content-length': String(length), ...headers })
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n');
      sock.write(`POST ${path} HTTP/1.1\r\n${head}\r\n\r\n`);
      sock.write(Buffer.alloc(sent, 0x20));
    });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve('no answer');
    }, waitMs);
    sock.once('data', (d) => {
      clearTimeout(timer);
      resolve(String(d).split('\r\n')[0]);
      sock.destroy();
    });
    sock.on('error', () => undefined);
  });
}

describe('body limits before authentication', () => {
  let t: TestRelay;
  let key: string;
  before(async () => {
    t = await startRelay({ env: { REQUEST_MAX_SIZE_MB: '4' } });
    key = (await t.createKey({ name: 'k' })).key;
  });
  after(() => t.close());

  for (const [surface, path, auth] of [
    ['Anthropic', '/api/v1/messages', { 'x-api-key': 'cr_' + 'f'.repeat(64) }],
    ['OpenAI Responses', '/openai/v1/responses', { authorization: `Bearer cr_${'f'.repeat(64)}` }],
    ['OpenAI chat', '/openai/v1/chat/completions', {}],
  ] as const) {
    test(`${surface}: a wrong or missing key is refused with 401 before the body arrives`, async () => {
      const line = await answerBeforeBody(t.url, path, auth, 3 * 1024 * 1024, 1024);
      assert.match(line, /^HTTP\/1\.1 401 /, 'answered while 3 MB were still owed');
    });
  }

  test('a valid key whose declared body is over the cap gets 413 at once', async () => {
    const line = await answerBeforeBody(t.url, '/api/v1/messages', { 'x-api-key': key }, 50 * 1024 * 1024, 10);
    assert.match(line, /^HTTP\/1\.1 413 /);
  });

  for (const path of ['/api/api/event_logging/batch', '/api/v1/key-info', '/web/auth/login', '/stats/api/session']) {
    test(`public route ${path} takes at most a few KB`, async () => {
      const line = await answerBeforeBody(t.url, path, {}, 200 * 1024, 10);
      assert.match(line, /^HTTP\/1\.1 413 /);
      const small = await fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ x: 'y'.repeat(8000) }),
      });
      assert.notEqual(small.status, 413, 'an ordinary body still gets through');
      await small.text();
    });
  }
});

/** POSTs `pieces` one write at a time (chunked: no declared length, so the relay reads them as separate chunks). */
function postInPieces(url: string, headers: Record<string, string>, pieces: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    const next = (i: number): void => {
      if (i === pieces.length) {
        req.end();
        return;
      }
      req.write(pieces[i]);
      setTimeout(() => next(i + 1), 5); // separate socket reads on the relay's side
    };
    next(0);
  });
}

describe('bodies read in pieces', () => {
  const ACCOUNT_KEY = 'sk-ant-api03-pieces-account';
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: string;
  before(async () => {
    fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY] });
    t = await startRelay({ env: { REQUEST_MAX_SIZE_MB: '1' } });
    await t.addAccount(fake.url, { apiKey: ACCOUNT_KEY });
    key = (await t.createKey({ name: 'pieces' })).key;
  });
  after(async () => {
    await t.close();
    await fake.close();
  });

  test('a body sent in several pieces without a declared length reaches the upstream byte for byte', async () => {
    const body = Buffer.from(
      JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 16, messages: [{ role: 'user', content: 'piece ✓ 多字节 ' + 'x'.repeat(200_000) }] }),
    );
    // Cut inside a multi-byte character too: the pieces are bytes, not text.
    const cuts = [1, body.indexOf('✓') + 1, 70_000, 140_000, body.length];
    const pieces = cuts.map((end, i) => body.subarray(i === 0 ? 0 : cuts[i - 1], end));
    fake.reset();
    const r = await postInPieces(`${t.url}/api/v1/messages`, { 'x-api-key': key, 'anthropic-version': '2023-06-01' }, pieces);
    assert.equal(r.status, 200, r.body);
    assert.equal(fake.requests.length, 1);
    assert.ok(fake.requests[0].body.equals(body), 'the pieces were put together exactly');
  });

  test('a body without a declared length that grows past the cap gets 413, and nothing goes upstream', async () => {
    const piece = Buffer.alloc(300 * 1024, 0x20);
    fake.reset();
    const r = await postInPieces(`${t.url}/api/v1/messages`, { 'x-api-key': key, 'anthropic-version': '2023-06-01' }, [piece, piece, piece, piece]);
    assert.equal(r.status, 413, r.body);
    assert.equal((JSON.parse(r.body) as { error: { type: string } }).error.type, 'request_too_large');
    assert.equal(fake.requests.length, 0);
  });
});
