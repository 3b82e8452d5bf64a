import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSecrets, hashPassword, needsRehash, randomPassword, verifyPassword } from './secrets.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);

test('seal/open round-trips and each seal is different', () => {
  const s = createSecrets(KEY_A);
  const a = s.seal('sk-ant-api03-secret');
  const b = s.seal('sk-ant-api03-secret');
  assert.notEqual(a, b);
  assert.ok(!a.includes('secret'));
  assert.equal(s.open(a), 'sk-ant-api03-secret');
  assert.equal(s.open(s.seal('')), '');
  assert.equal(s.open(s.seal('多字节 ✓')), '多字节 ✓');
});

test('open refuses another key, tampering and junk', () => {
  const a = createSecrets(KEY_A);
  const b = createSecrets(KEY_B);
  const sealed = a.seal('value');
  assert.throws(() => b.open(sealed), /ENCRYPTION_KEY/);
  const parts = sealed.split('.');
  const ct = Buffer.from(parts[3], 'base64url');
  ct[0] ^= 1;
  parts[3] = ct.toString('base64url');
  assert.throws(() => a.open(parts.join('.')), /cannot be opened/);
  assert.throws(() => a.open('plain-text'), /unknown format/);
});

test('API key HMAC is stable per ENCRYPTION_KEY and differs across keys', () => {
  const k = 'cr_' + '0'.repeat(64);
  assert.equal(createSecrets(KEY_A).hashApiKey(k), createSecrets(KEY_A).hashApiKey(k));
  assert.notEqual(createSecrets(KEY_A).hashApiKey(k), createSecrets(KEY_B).hashApiKey(k));
  assert.match(createSecrets(KEY_A).hashApiKey(k), /^[0-9a-f]{64}$/);
});

test('scrypt password hashes verify only the right password', async () => {
  const h = await hashPassword('correct horse', 16_384);
  assert.match(h, /^scrypt\$16384\$8\$1\$/);
  assert.equal(await verifyPassword('correct horse', h), true);
  assert.equal(await verifyPassword('wrong horse', h), false);
  assert.equal(await verifyPassword('correct horse', 'bcrypt$junk'), false);
  assert.notEqual(await hashPassword('x', 16_384), await hashPassword('x', 16_384));
});

test("scrypt: OWASP cost by default (N=2^17, beyond Node's default maxmem); older hashes verify and ask for a rehash", async () => {
  const strong = await hashPassword('correct horse');
  assert.match(strong, /^scrypt\$131072\$8\$1\$/);
  assert.equal(await verifyPassword('correct horse', strong), true);
  assert.equal(needsRehash(strong), false);
  const old = await hashPassword('correct horse', 16_384);
  assert.equal(await verifyPassword('correct horse', old), true, 'a hash made with the former cost still verifies');
  assert.equal(needsRehash(old), true, 'and is upgraded on the next successful login');
  // A stored hash asking for absurd memory is refused, never evaluated.
  assert.equal(await verifyPassword('x', old.replace('$16384$', '$1073741824$')), false);
  assert.equal(await verifyPassword('x', old.replace('$16384$', '$1000$')), false, 'N must be a power of two');
});

test('random passwords have the requested length and alphabet', () => {
  for (const n of [1, 16, 40]) {
    const p = randomPassword(n);
    assert.equal(p.length, n);
    assert.match(p, /^[A-Za-z2-9]+$/);
  }
  assert.notEqual(randomPassword(), randomPassword());
});
