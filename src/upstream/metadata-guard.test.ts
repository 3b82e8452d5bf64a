import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDispatcherPool } from './dispatchers.js';
import { guardedLookup, isMetadataAddress, isMetadataHost, parseIPv4Loose } from './metadata-guard.js';

test('IPv4 spellings inet_aton accepts are normalised', () => {
  for (const s of ['169.254.169.254', '0xa9fea9fe', '0xA9FEA9FE', '2852039166', '0251.0376.0251.0376', '169.254.43518', '0xa9.0xfe.0xa9.0xfe']) {
    assert.equal(parseIPv4Loose(s), '169.254.169.254', s);
  }
  for (const s of ['1.2.3.256', '08.1.1.1', 'a.b.c.d', '1..2', '4294967296']) assert.equal(parseIPv4Loose(s), null, s);
});

const refused = [
  '169.254.169.254',
  '[::ffff:169.254.169.254]',
  '[::ffff:a9fe:a9fe]',
  '[64:ff9b::a9fe:a9fe]',
  '0xa9fea9fe',
  '2852039166',
  '100.100.100.200',
  '[fd00:ec2::254]',
  'metadata.google.internal',
  'METADATA.GOOGLE.INTERNAL.',
  '169.254.170.2',
];
const allowed = ['127.0.0.1', 'localhost', '[::1]', '10.0.0.5', '192.168.1.2', '172.16.0.1', '100.64.0.1', '[fd00::1]', 'api.anthropic.com'];
for (const h of refused) test(`metadata host refused: ${h}`, () => assert.equal(isMetadataHost(h), true));
for (const h of allowed) test(`host allowed (loopback, private, names): ${h}`, () => assert.equal(isMetadataHost(h), false));

test('resolved addresses: metadata ones only', () => {
  assert.equal(isMetadataAddress('169.254.169.254'), true);
  assert.equal(isMetadataAddress('::ffff:169.254.169.254'), true);
  assert.equal(isMetadataAddress('fd00:ec2::254'), true);
  assert.equal(isMetadataAddress('127.0.0.1'), false);
  assert.equal(isMetadataAddress('::1'), false);
  assert.equal(isMetadataAddress('10.1.2.3'), false);
});

const lookup = (host: string, all = false) =>
  new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) => guardedLookup(host, { all }, (err, address) => resolve({ err, address })));

test('dial-time lookup: a name resolving to a metadata address is refused; loopback resolves', async () => {
  // getaddrinfo resolves the hex spelling itself: a host name the URL check would not recognise as an address.
  for (const all of [false, true]) {
    const bad = await lookup('0xa9fea9fe', all);
    assert.equal(bad.err?.code, 'ECONNREFUSED_METADATA');
    const ok = await lookup('localhost', all);
    assert.equal(ok.err, null);
  }
});

test('the direct dispatcher refuses a metadata literal without dialling, and a name that resolves to one', async () => {
  const pool = createDispatcherPool({ timeoutMs: 2000, connectTimeoutMs: 1000 });
  try {
    for (const origin of ['http://[::ffff:a9fe:a9fe]', 'http://0xa9fea9fe:80']) {
      await assert.rejects(
        pool.get(null).request({ origin, path: '/latest/meta-data/', method: 'GET' }),
        (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED_METADATA',
        origin,
      );
    }
  } finally {
    await pool.close();
  }
});

test('a proxy on a metadata address is refused when its dispatcher is made', () => {
  const pool = createDispatcherPool({ timeoutMs: 2000 });
  for (const p of ['socks5://0xa9fea9fe:1080', 'http://[::ffff:169.254.169.254]:3128', 'socks5h://100.100.100.200:1080']) {
    assert.throws(() => pool.get(p), /metadata address refused/, p);
  }
  void pool.close();
});
