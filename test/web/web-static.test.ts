// Serving of the built SPA at /web: history fallback, immutable hashed assets, no-cache index, security headers,
// traversal refused in every spelling, and the "run npm run build" page when nothing is built.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { safeRelativePath, webStatic } from '../../src/http/web-static.js';

describe('web static serving', () => {
  let dir: string;
  let app: FastifyInstance;
  let empty: FastifyInstance;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crs-web-'));
    mkdirSync(join(dir, 'root/assets'), { recursive: true });
    writeFileSync(join(dir, 'root/index.html'), '<!doctype html><title>spa</title>');
    writeFileSync(join(dir, 'root/assets/index-AbC123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'root/favicon.svg'), '<svg/>');
    writeFileSync(join(dir, 'secret.txt'), 'outside the root');
    app = Fastify();
    await app.register(webStatic, { root: join(dir, 'root') });
    empty = Fastify();
    await empty.register(webStatic, { root: join(dir, 'nothing-here') });
  });
  after(async () => {
    await app.close();
    await empty.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('index and client-side routes answer index.html, never cached, with security headers', async () => {
    for (const url of ['/web', '/web/', '/web/accounts', '/web/keys/abc?status=disabled', '/web/stats']) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 200, url);
      assert.match(r.body, /<title>spa<\/title>/, url);
      assert.equal(r.headers['cache-control'], 'no-cache', url);
      assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.match(String(r.headers['content-security-policy']), /script-src 'self'/);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
    }
  });

  test('hashed assets are immutable; missing assets and files are 404, not the SPA', async () => {
    const a = await app.inject({ url: '/web/assets/index-AbC123.js' });
    assert.equal(a.statusCode, 200);
    assert.equal(a.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(a.headers['content-type']), /javascript/);
    assert.equal((await app.inject({ url: '/web/assets/nope.js' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/web/nope.png' })).statusCode, 404);
    const f = await app.inject({ url: '/web/favicon.svg' });
    assert.equal(f.statusCode, 200);
    assert.equal(f.headers['cache-control'], 'no-cache');
  });

  test('path traversal is refused in every spelling', async () => {
    for (const url of [
      '/web/../secret.txt',
      '/web/%2e%2e/secret.txt',
      '/web/..%2fsecret.txt',
      '/web/%2E%2E%2Fsecret.txt',
      '/web//secret.txt',
      '/web/..\\secret.txt',
      '/web/assets/%5c..%5csecret.txt',
      '/web/a/%00',
      '/web/.%2e/secret.txt',
    ]) {
      const r = await app.inject({ url });
      assert.ok(r.statusCode === 400 || r.statusCode === 404, `${url} → ${r.statusCode}`);
      assert.ok(!r.body.includes('outside the root'), url);
    }
    assert.equal(safeRelativePath('a/b.js'), 'a/b.js');
    assert.equal(safeRelativePath('a/../b'), null);
  });

  test('without a build, /web says to run npm run build; / redirects to /web/', async () => {
    const r = await empty.inject({ url: '/web/accounts' });
    assert.equal(r.statusCode, 503);
    assert.match(r.body, /npm run build/);
    const root = await app.inject({ url: '/' });
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers.location, '/web/');
  });
});
