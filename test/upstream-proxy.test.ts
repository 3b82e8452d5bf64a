// Per-account upstream proxies end to end: client → relay → HTTP / SOCKS5 proxy → fake upstream, and the 502s a
// broken proxy gives (in the Anthropic shape, naming the proxy, never its credentials).
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { ProxyAgent, request } from 'undici';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { closedPort, startRelay, type TestRelay } from './support/harness.js';
import { createUpstreamClient } from '../src/upstream/client.js';
import { startHttpProxy, startSocks5Proxy, type HttpProxyRecord, type SocksRecord, type TestProxy } from './support/proxies.js';

const CREDS = { username: 'proxy-user', password: 'pr0xy-s3cret' };
const WRONG = { username: 'proxy-user', password: 'wr0ng-s3cret' };
const BODY = JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'via proxy' }] });

describe('upstream proxies', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: string;
  let http: TestProxy<HttpProxyRecord>;
  let httpOpen: TestProxy<HttpProxyRecord>;
  let socks: TestProxy<SocksRecord>;
  let socksOpen: TestProxy<SocksRecord>;

  before(async () => {
    fake = await createFakeUpstream();
    t = await startRelay({ env: { UPSTREAM_TIMEOUT_MS: '5000' } });
    key = (await t.createKey()).key;
    [http, httpOpen, socks, socksOpen] = await Promise.all([
      startHttpProxy({ auth: CREDS }),
      startHttpProxy(),
      startSocks5Proxy({ auth: CREDS }),
      startSocks5Proxy(),
    ]);
  });
  after(async () => {
    await t.close();
    await Promise.all([fake.close(), http.close(), httpOpen.close(), socks.close(), socksOpen.close()]);
  });
  beforeEach(() => fake.reset());

  /** Runs `fn` with a single account that reaches `baseUrl` through `proxy`. */
  async function withAccount(proxy: string, fn: () => Promise<void>, baseUrl = fake.url): Promise<void> {
    const acct = await t.addAccount(baseUrl, { proxy });
    try {
      await fn();
    } finally {
      await t.admin('DELETE', `/accounts/${acct.id}`);
      await t.relay.pool.reload();
    }
  }

  async function post(body = BODY) {
    const res = await fetch(`${t.url}/api/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body,
    });
    return { status: res.status, json: (await res.json()) as any };
  }

  /** A 502 in the Anthropic error shape that blames the proxy and leaks neither password. */
  function assertProxy502(r: { status: number; json: any }, message: RegExp) {
    assert.equal(r.status, 502);
    assert.equal(r.json.type, 'error');
    assert.equal(r.json.error.type, 'api_error');
    assert.match(r.json.error.message, /proxy/i);
    assert.match(r.json.error.message, message);
    const text = JSON.stringify(r.json);
    for (const secret of [CREDS.password, WRONG.password, CREDS.username]) assert.ok(!text.includes(secret), `leaks ${secret}`);
  }

  test('HTTP proxy with Basic auth: the request reaches the upstream through a CONNECT tunnel', async () => {
    await withAccount(http.urlWith(CREDS), async () => {
      const r = await post();
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.type, 'message');
      assert.equal(fake.requests.length, 1);
      const port = new URL(fake.url).port;
      assert.deepEqual(http.records.at(-1), { kind: 'connect', target: `127.0.0.1:${port}`, authorized: true });
    });
  });

  test('HTTP proxy without auth; keep-alive reuses the tunnel', async () => {
    await withAccount(httpOpen.url, async () => {
      const before = httpOpen.records.length;
      assert.equal((await post()).status, 200);
      assert.equal((await post()).status, 200);
      assert.equal(fake.requests.length, 2);
      assert.equal(httpOpen.records.length - before, 1, 'one tunnel for two requests');
    });
  });

  test('SOCKS5 with username/password and without auth', async () => {
    await withAccount(socks.urlWith(CREDS), async () => {
      assert.equal((await post()).status, 200);
      assert.deepEqual(socks.records.at(-1), { host: '127.0.0.1', port: fake.port, addressType: 'ipv4', method: 'userpass', username: CREDS.username });
    });
    await withAccount(socksOpen.url, async () => {
      const before = socksOpen.records.length;
      assert.equal((await post()).status, 200);
      assert.equal((await post()).status, 200);
      assert.equal(socksOpen.records.length - before, 1, 'one tunnel for two requests');
      assert.equal(socksOpen.records.at(-1)?.method, 'none');
    });
    assert.equal(fake.requests.length, 3);
  });

  test('socks5h sends the host name unresolved; socks5 resolves it locally', async () => {
    const baseUrl = `http://localhost:${fake.port}`;
    await withAccount(
      socks.urlWith(CREDS, 'socks5h'),
      async () => {
        assert.equal((await post()).status, 200);
        assert.deepEqual(socks.records.at(-1), { host: 'localhost', port: fake.port, addressType: 'domain', method: 'userpass', username: CREDS.username });
      },
      baseUrl,
    );
    await withAccount(
      socks.urlWith(CREDS, 'socks5'),
      async () => {
        const r = await post();
        const rec = socks.records.at(-1)!;
        assert.notEqual(rec.addressType, 'domain');
        assert.equal(rec.host, (await lookup('localhost')).address);
        assert.equal(r.status, 200);
      },
      baseUrl,
    );
  });

  test('a wrong proxy password is a 502 naming the proxy, without the password (HTTP and SOCKS5)', async () => {
    const httpFailures = http.authFailures;
    await withAccount(http.urlWith(WRONG), async () => assertProxy502(await post(), /credentials/));
    assert.equal(http.authFailures, httpFailures + 1);
    const socksFailures = socks.authFailures;
    await withAccount(socks.urlWith(WRONG), async () => assertProxy502(await post(), /credentials/));
    assert.equal(socks.authFailures, socksFailures + 1);
    assert.equal(fake.requests.length, 0);
    await t.relay.recorder.drain();
    const [row] = await t.relay.store.usage.recentRequests(1);
    assert.equal(row.status, 502);
    assert.equal(row.errorCode, 'UPSTREAM_UNREACHABLE');
  });

  test('a dead proxy is a 502 naming the proxy (HTTP and SOCKS5)', async () => {
    const port = await closedPort();
    await withAccount(`http://${CREDS.username}:${CREDS.password}@127.0.0.1:${port}`, async () => assertProxy502(await post(), /unreachable/));
    await withAccount(`socks5h://${CREDS.username}:${CREDS.password}@127.0.0.1:${port}`, async () => assertProxy502(await post(), /unreachable/));
  });

  test('a proxy that cannot reach the upstream is a 502 naming the proxy (HTTP and SOCKS5)', async () => {
    const deadUpstream = `http://127.0.0.1:${await closedPort()}`;
    await withAccount(http.urlWith(CREDS), async () => assertProxy502(await post(), /could not reach the upstream/), deadUpstream);
    await withAccount(socks.urlWith(CREDS), async () => assertProxy502(await post(), /could not reach the upstream/), deadUpstream);
  });

  test('the test HTTP proxy also forwards absolute-URI requests (what a client with proxyTunnel: false sends)', async () => {
    const agent = new ProxyAgent({
      uri: http.url,
      token: `Basic ${Buffer.from(`${CREDS.username}:${CREDS.password}`).toString('base64')}`,
      proxyTunnel: false,
    });
    try {
      const res = await request(`${fake.url}/v1/models`, {
        dispatcher: agent,
        headers: { 'x-api-key': 'sk-ant-api03-test', 'anthropic-version': '2023-06-01' },
      });
      await res.body.dump();
      assert.equal(res.statusCode, 200);
      assert.deepEqual(http.records.at(-1), { kind: 'forward', target: `${fake.url}/v1/models`, authorized: true });
    } finally {
      await agent.close();
    }
  });

  test('streaming through a proxy: the SDK gets the whole message (HTTP and SOCKS5)', async () => {
    const sdk = new Anthropic({ baseURL: `${t.url}/api`, apiKey: key, maxRetries: 0 });
    for (const proxy of [http.urlWith(CREDS), socks.urlWith(CREDS, 'socks5h')]) {
      await withAccount(proxy, async () => {
        fake.enqueue({ kind: 'reply', text: 'streamed through a proxy', stream: { chunking: 'random', pings: 1 } });
        const stream = sdk.messages.stream({ model: 'claude-sonnet-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
        const final = await stream.finalMessage();
        assert.equal((final.content[0] as Anthropic.TextBlock).text, 'streamed through a proxy');
        assert.equal(final.stop_reason, 'end_turn');
      });
    }
    assert.equal(fake.requests.length, 2);
  });
});

describe('upstream proxies: broken proxies at the transport', () => {
  /**
   * A TCP server that either drops its first connection and stops listening (so a client that wrongly
   * reconnects gets ECONNREFUSED instead of looping forever), or never answers. Counts connections.
   */
  async function brokenProxy(mode: 'close' | 'hang'): Promise<{ server: Server; port: number; connections: () => number }> {
    let n = 0;
    const server = createServer((s) => {
      n++;
      if (mode === 'close') {
        server.close();
        s.destroy();
      } else server.once('close', () => s.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { server, port: (server.address() as { port: number }).port, connections: () => n };
  }

  async function send(proxyUrl: string) {
    const client = createUpstreamClient({ timeoutMs: 5_000, connectTimeoutMs: 300 });
    const started = Date.now();
    try {
      await client.send({ origin: 'http://127.0.0.1:9', path: '/v1/messages', method: 'GET', headers: {}, signal: AbortSignal.timeout(5_000), proxyUrl });
      assert.fail('expected a proxy failure');
    } catch (e) {
      return { err: e as { code: string; status: number; message: string }, ms: Date.now() - started };
    } finally {
      await client.close();
    }
  }

  for (const scheme of ['http', 'socks5']) {
    test(`${scheme}: a proxy that drops the connection fails the request once (no reconnect loop)`, async () => {
      const p = await brokenProxy('close');
      try {
        const { err } = await send(`${scheme}://user:pw-secret@127.0.0.1:${p.port}`);
        assert.equal(err.code, 'UPSTREAM_UNREACHABLE');
        assert.equal(err.status, 502);
        assert.match(err.message, /^Upstream proxy failed/);
        assert.ok(!err.message.includes('pw-secret'));
        assert.equal(p.connections(), 1);
      } finally {
        if (p.server.listening) p.server.close();
      }
    });

    test(`${scheme}: a proxy that never answers fails within the connect timeout`, async () => {
      const p = await brokenProxy('hang');
      try {
        const { err, ms } = await send(`${scheme}://127.0.0.1:${p.port}`);
        assert.equal(err.code, 'UPSTREAM_UNREACHABLE');
        assert.match(err.message, /^Upstream proxy did not answer in time/);
        assert.ok(ms < 2_000, `took ${ms} ms`);
      } finally {
        p.server.close();
      }
    });
  }
});
