// The relay loads undici's parts from their files: they must be undici's own classes, and the rest of undici (the
// index, with fetch) must stay unloaded until the first fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as undici from 'undici';
import { Agent, Pool, ProxyAgent, buildConnector } from './undici-parts.js';

test('the parts are the classes and functions undici exports', () => {
  assert.equal(Agent, undici.Agent);
  assert.equal(Pool, undici.Pool);
  assert.equal(ProxyAgent, undici.ProxyAgent);
  assert.equal(buildConnector, undici.buildConnector);
  for (const m of ['request', 'stream', 'pipeline', 'connect', 'upgrade'] as const) assert.equal(Agent.prototype[m], undici.Agent.prototype[m]);
});

test('undici index is loaded only by the first fetch, which then works', async () => {
  // A fresh process: this one has loaded the index above.
  const script = `
    import { createRequire } from 'node:module';
    import { createServer } from 'node:http';
    const require = createRequire(import.meta.url);
    const indexLoaded = () => Object.keys(require.cache).some((f) => /[\\\\/]undici[\\\\/]index\\.js$/.test(f));
    const { createDispatcherPool } = await import('./src/upstream/dispatchers.ts');
    const pool = createDispatcherPool({ timeoutMs: 5000 });
    const before = indexLoaded();
    const methods = ['request', 'connect'].every((m) => typeof pool.get(null)[m] === 'function');
    const server = createServer((_req, res) => res.end('fetched')).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const res = await pool.fetchFor(null)('http://127.0.0.1:' + server.address().port + '/');
    console.log(JSON.stringify({ before, methods, after: indexLoaded(), body: await res.text() }));
    server.close();
    await pool.close();
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('../..', import.meta.url).pathname,
  });
  assert.deepEqual(JSON.parse(stdout.trim()), { before: false, methods: true, after: true, body: 'fetched' });
});
