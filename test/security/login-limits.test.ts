// P8 item 3: admin login attempts take their slot before the password is checked; a flood does not lock the real
// admin out; X-Forwarded-For is believed only from configured proxies (or hops), so rotating it buys nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, startRelay, type TestRelay } from '../support/harness.js';

async function login(t: TestRelay, password: string, xff?: string): Promise<number> {
  const res = await fetch(`${t.url}/web/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(xff ? { 'x-forwarded-for': xff } : {}) },
    body: JSON.stringify({ username: ADMIN.username, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

const count = (statuses: number[], s: number) => statuses.filter((x) => x === s).length;

test('200 parallel guesses from one address: only 10 are checked, the rest refused before checking', async () => {
  const t = await startRelay();
  try {
    const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => login(t, `guess-${i}`)));
    assert.equal(count(statuses, 401), 10, 'ten guesses reached the password check');
    assert.equal(count(statuses, 429), 190, 'the rest were refused before it');
    assert.equal(await login(t, ADMIN.password), 429, 'that address waits out the window, right password or not');
  } finally {
    await t.close();
  }
});

test('a flood from one address does not lock out the right password from another (proxy list)', async () => {
  const t = await startRelay({ env: { TRUST_PROXY: '127.0.0.1' } });
  try {
    const flood = await Promise.all(Array.from({ length: 50 }, (_, i) => login(t, `guess-${i}`, '203.0.113.5')));
    assert.equal(count(flood, 401), 10);
    assert.equal(await login(t, ADMIN.password, '198.51.100.7'), 200);
  } finally {
    await t.close();
  }
});

test('a flood from rotating addresses stops at the global ceiling; where the admin logged in before still works', async () => {
  const t = await startRelay({ env: { TRUST_PROXY: '127.0.0.1' } });
  try {
    assert.equal(await login(t, ADMIN.password, '198.51.100.7'), 200);
    const flood: number[] = [];
    for (let i = 0; i < 150; i++) flood.push(await login(t, `guess-${i}`, `203.0.${Math.floor(i / 250)}.${i % 250}`));
    assert.equal(count(flood, 401), 100, 'at most 100 guesses per window from places never used before');
    assert.equal(count(flood, 429), 50);
    assert.equal(await login(t, ADMIN.password, '198.51.100.7'), 200, 'the admin is not locked out of a known place');
  } finally {
    await t.close();
  }
});

test('TRUST_PROXY=true means the one proxy in front: a rotating X-Forwarded-For does not reset the limits', async () => {
  const t = await startRelay({ env: { TRUST_PROXY: 'true' } });
  try {
    // What the proxy forwards: the client's own (rotating) header, then the address the proxy saw.
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push(await login(t, `guess-${i}`, `10.9.${i}.1, 203.0.113.9`));
    assert.equal(count(statuses, 401), 10, 'the attempts counted against the real client address');
    assert.equal(count(statuses, 429), 5);

    // The key-holder lookup limit (20 per minute per address) holds the same way.
    const lookups: number[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await fetch(`${t.url}/stats/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.8.${i}.1, 203.0.113.10` },
        body: JSON.stringify({ key: `cr_${'0'.repeat(64)}` }),
      });
      await res.arrayBuffer();
      lookups.push(res.status);
    }
    assert.equal(count(lookups, 429), 5, `statuses ${lookups.join(',')}`);
  } finally {
    await t.close();
  }
});

test('a proxy list: X-Forwarded-For from elsewhere is not believed', async () => {
  // The relay trusts only 10.0.0.0/8 as proxies; the test client connects from 127.0.0.1, so its header is ignored.
  const t = await startRelay({ env: { TRUST_PROXY: '10.0.0.0/8' } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await login(t, `guess-${i}`, `198.51.100.${i}`));
    assert.equal(count(statuses, 429), 2, 'every attempt counted against the socket address');
  } finally {
    await t.close();
  }
});
