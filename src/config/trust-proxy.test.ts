import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './index.js';
import { parseTrustProxy } from './trust-proxy.js';

const cases: [string, ReturnType<typeof parseTrustProxy>][] = [
  ['false', false],
  ['0', false],
  ['no', false],
  ['true', 1],
  ['yes', 1],
  ['1', 1],
  ['2', 2],
  ['127.0.0.1', ['127.0.0.1']],
  ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
  ['loopback,fd00::/8', ['loopback', 'fd00::/8']],
  ['10.0.0.0/33', null],
  ['proxy.internal', null],
  ['99', null],
];
for (const [raw, want] of cases) test(`TRUST_PROXY=${raw}`, () => assert.deepEqual(parseTrustProxy(raw), want));

test('TRUST_PROXY in the configuration: true stays accepted (one hop), a list is kept, nonsense is reported', () => {
  assert.equal(loadConfig({ env: {}, envFile: null }).trustProxy, false);
  assert.equal(loadConfig({ env: { TRUST_PROXY: 'true' }, envFile: null }).trustProxy, 1, 'the old boolean means the one proxy in front');
  assert.deepEqual(loadConfig({ env: { TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }, envFile: null }).trustProxy, ['10.0.0.0/8', '127.0.0.1']);
  assert.throws(() => loadConfig({ env: { TRUST_PROXY: 'everything' }, envFile: null }), /TRUST_PROXY/);
});

test('connection limits: defaults, and a header budget longer than the request budget is refused', () => {
  const c = loadConfig({ env: {}, envFile: null });
  assert.deepEqual(c.server, { headersTimeoutMs: 30_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 65_000, maxConnections: 4096 });
  assert.throws(() => loadConfig({ env: { HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '2000' }, envFile: null }), /HEADERS_TIMEOUT_MS/);
});
