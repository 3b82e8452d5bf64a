// P8 item 2: client connections are bounded. A request must arrive (headers, then body) within its budget, an idle
// keep-alive socket closes, and connections beyond MAX_CONNECTIONS are refused, while a response stream that runs
// longer than every one of those budgets is never cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { createFakeUpstream } from '../support/fake-upstream/index.js';
import { startRelay, type TestRelay } from '../support/harness.js';

const SHORT = { REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '1000', KEEP_ALIVE_TIMEOUT_MS: '1000' };

function open(t: TestRelay): Promise<Socket> {
  const { port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Ms until the server closes the socket (and what it said), or null when it is still open after `maxMs`. */
function closedWithin(s: Socket, maxMs: number): Promise<{ ms: number; said: string } | null> {
  const started = Date.now();
  let said = '';
  s.on('data', (d) => (said += d.toString()));
  s.on('error', () => {});
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), maxMs);
    s.once('close', () => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - started, said });
    });
  });
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function dribble(s: Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (s.destroyed || i >= text.length) return clearInterval(timer);
    s.write(text[i++]);
  }, everyMs);
  s.once('close', () => clearInterval(timer));
}

test('a slow-loris body is cut within REQUEST_TIMEOUT_MS; so are slow headers', async () => {
  const t = await startRelay({ env: SHORT });
  try {
    const body = await open(t);
    body.write('POST /web/auth/login HTTP/1.1\r\nHost: relay\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{');
    dribble(body, '"username":"admin",'.repeat(50), 100);
    const cut = await closedWithin(body, 5000);
    assert.ok(cut, 'the connection sending its body byte by byte is closed');
    assert.ok(cut.ms >= 700 && cut.ms < 2600, `cut after ${cut.ms} ms (budget 1000 ms, checked every 250 ms)`);

    const head = await open(t);
    head.write('GET /health HTTP/1.1\r\nHost: relay\r\n');
    dribble(head, 'x-slow: ' + 'a'.repeat(200), 100);
    const cutHead = await closedWithin(head, 5000);
    assert.ok(cutHead && cutHead.ms < 2600, `slow headers cut after ${cutHead?.ms} ms`);
  } finally {
    await t.close();
  }
});

test('a response stream of 3 s outlives 1 s request, header and keep-alive budgets', async () => {
  const fake = await createFakeUpstream();
  const t = await startRelay({ env: SHORT });
  try {
    await t.addAccount(fake.url);
    const { key } = await t.createKey();
    fake.setDefault({ kind: 'reply', stream: { delayMs: 300, pings: 4 } });
    const started = Date.now();
    const res = await fetch(`${t.url}/api/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'a slow answer please' }] }),
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    const ms = Date.now() - started;
    assert.ok(ms > 2500, `the stream took ${ms} ms`);
    assert.match(text, /event: message_stop/, 'the stream ran to its end');
  } finally {
    await t.close();
    await fake.close();
  }
});

test('an idle keep-alive connection closes after KEEP_ALIVE_TIMEOUT_MS', async () => {
  const t = await startRelay({ env: SHORT });
  try {
    const s = await open(t);
    s.write('GET /health HTTP/1.1\r\nHost: relay\r\n\r\n');
    const closed = await closedWithin(s, 5000);
    assert.ok(closed, 'the idle socket was closed');
    assert.match(closed.said, /^HTTP\/1\.1 200/);
    assert.ok(closed.ms < 2600, `closed after ${closed.ms} ms`);
  } finally {
    await t.close();
  }
});

test('connections beyond MAX_CONNECTIONS are refused; a freed place admits the next', async () => {
  const t = await startRelay({ env: { MAX_CONNECTIONS: '3' } });
  const sockets: Socket[] = [];
  try {
    // The harness's login left a keep-alive connection; start from none.
    t.relay.app.server.closeAllConnections();
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 3; i++) sockets.push(await open(t));
    const extra = await open(t).catch(() => null);
    if (extra) {
      const refused = await closedWithin(extra, 2000);
      assert.ok(refused, 'the 4th connection is closed at once');
      assert.equal(refused.said, '');
    }
    sockets.shift()!.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const next = await open(t);
    sockets.push(next);
    next.write('GET /health HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n');
    const answered = await closedWithin(next, 3000);
    assert.match(answered?.said ?? '', /^HTTP\/1\.1 200/, 'a freed place is taken by the next connection');
  } finally {
    for (const s of sockets) s.destroy();
    await t.close();
  }
});
