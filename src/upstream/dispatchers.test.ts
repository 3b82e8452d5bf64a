// The dispatcher pool: caching per proxy URL, close, and credential masking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDispatcherPool } from './dispatchers.js';
import { maskProxyUrl } from './proxy-errors.js';

const opts = { timeoutMs: 5_000 };

test('the same proxy URL gives the same dispatcher, different URLs different ones, null the direct agent', async () => {
  const pool = createDispatcherPool(opts);
  try {
    const urls = ['http://127.0.0.1:3128', 'https://u:p@proxy.test:8443', 'socks5://127.0.0.1:1080', 'socks5h://u:p@127.0.0.1:1080'];
    const first = urls.map((u) => pool.get(u));
    assert.deepEqual(
      urls.map((u) => pool.get(u)),
      first,
    );
    assert.equal(new Set(first).size, urls.length);
    assert.equal(pool.size, urls.length);
    assert.notEqual(pool.get('http://other:p@127.0.0.1:3128'), pool.get('http://127.0.0.1:3128'));
    assert.equal(pool.get(null), pool.get(undefined));
    assert.equal(pool.get(null), pool.get(''));
    assert.ok(!first.includes(pool.get(null)));
    assert.equal(pool.size, urls.length + 1);
  } finally {
    await pool.close();
  }
});

test('an unsupported scheme is refused without echoing credentials', async () => {
  const pool = createDispatcherPool(opts);
  try {
    assert.throws(
      () => pool.get('ftp://user:secret@127.0.0.1:21'),
      (e: Error) => !e.message.includes('secret') && /unsupported scheme ftp:/.test(e.message),
    );
    assert.throws(() => pool.get('not a url'), /invalid proxy URL/);
  } finally {
    await pool.close();
  }
});

test('close closes every dispatcher; get and fetchFor throw afterwards', async () => {
  const pool = createDispatcherPool(opts);
  const all = [pool.get(null), pool.get('http://127.0.0.1:3128'), pool.get('socks5://127.0.0.1:1080')];
  await pool.close();
  for (const d of all)
    await assert.rejects(d.request({ origin: 'http://127.0.0.1:1', path: '/', method: 'GET' }), (e: { code?: string }) =>
      /^UND_ERR_(CLOSED|DESTROYED)$/.test(e.code ?? ''),
    );
  assert.throws(() => pool.get(null), /closed/);
  assert.throws(() => pool.fetchFor('http://127.0.0.1:3128'), /closed/);
  assert.equal(pool.size, 0);
});

test('fetchFor(null) is undici fetch over the direct agent', async () => {
  const srv = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const pool = createDispatcherPool(opts);
  try {
    const res = await pool.fetchFor(null)(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/`);
    assert.equal(await res.text(), 'ok');
  } finally {
    await pool.close();
    await new Promise((r) => srv.close(r));
  }
});

test('maskProxyUrl hides userinfo', () => {
  assert.equal(maskProxyUrl('socks5h://alice:s3cret@10.0.0.1:1080'), 'socks5h://***@10.0.0.1:1080');
  assert.equal(maskProxyUrl('http://proxy.test:3128'), 'http://proxy.test:3128');
  assert.equal(maskProxyUrl('http://:pw@proxy.test'), 'http://***@proxy.test');
  assert.equal(maskProxyUrl('::'), '(invalid proxy URL)');
});
