import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RelayError } from '../core/errors.js';
import { checkProxyUrl, checkUpstreamUrl } from './url-policy.js';

const ok = [
  ['https://api.anthropic.com', 'https://api.anthropic.com'],
  ['https://api.anthropic.com/', 'https://api.anthropic.com'],
  ['https://api.anthropic.com/v1', 'https://api.anthropic.com'],
  ['http://10.0.0.5:8080/anthropic/v1/', 'http://10.0.0.5:8080/anthropic'],
  ['http://127.0.0.1:9', 'http://127.0.0.1:9'],
];
for (const [input, want] of ok) test(`base URL accepted: ${input}`, () => assert.equal(checkUpstreamUrl(input), want));

const bad = ['ftp://x', 'not a url', 'https://user:pw@host', 'https://host/?q=1', 'http://169.254.169.254/latest', 'http://metadata.google.internal/'];
for (const input of bad) {
  test(`base URL refused: ${input}`, () =>
    assert.throws(
      () => checkUpstreamUrl(input),
      (e: unknown) => e instanceof RelayError && e.status === 400 && /baseUrl/.test(e.message),
    ));
}

test('proxies: http, https, socks5(h) with host and port', () => {
  for (const p of ['http://10.0.0.1:3128', 'https://proxy:443', 'socks5://u:p@10.0.0.1:1080', 'socks5h://h:1080']) assert.equal(checkProxyUrl(p), p);
  for (const p of ['socks4://h:1', 'socks5://nohost', 'http://', 'http://169.254.1.1:80', 'x']) assert.throws(() => checkProxyUrl(p), /proxy/);
});

// P8 item 7: every spelling of a metadata address is refused; loopback and private ranges stay allowed.
const bypasses = [
  'http://[::ffff:169.254.169.254]/',
  'http://100.100.100.200/',
  'http://0xa9fea9fe/',
  'http://2852039166/',
  'http://[fd00:ec2::254]/',
  'http://metadata.goog/',
];
for (const input of bypasses) {
  test(`base URL refused (metadata spelling): ${input}`, () => assert.throws(() => checkUpstreamUrl(input), /baseUrl/));
}
test('proxies refused on metadata spellings, including non-special schemes the URL parser leaves alone', () => {
  for (const p of ['socks5://0xa9fea9fe:1080', 'socks5h://2852039166:1080', 'http://[::ffff:169.254.169.254]:3128', 'socks5://100.100.100.200:1080']) {
    assert.throws(() => checkProxyUrl(p), /proxy/, p);
  }
  for (const p of ['socks5://127.0.0.1:1080', 'http://192.168.1.10:3128', 'socks5://[fd00::2]:1080']) assert.equal(checkProxyUrl(p), p);
});
