import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { StickySessions } from './sticky-sessions.js';

/** A real in-memory SQLite store whose kv reads are counted. */
function setup(opts = { ttlMs: 60_000, renewBelowMs: 30_000, cacheMs: 5_000 }) {
  const clock = new ManualClock();
  const store = new SqliteStore({ file: ':memory:', pollMs: 0, clock });
  const reads = { get: 0, set: 0 };
  const kv = store.kv;
  const get = kv.get.bind(kv);
  const set = kv.set.bind(kv);
  kv.get = (k) => (reads.get++, get(k));
  kv.set = (k, v, ttl) => (reads.set++, set(k, v, ttl));
  return { clock, store, reads, sticky: new StickySessions(store, clock, opts) };
}

test('a binding is written to the store under sticky:<key>:<conversation>, and read from memory while fresh', async (t) => {
  const { clock, store, reads, sticky } = setup();
  t.after(() => store.close());
  assert.equal(await sticky.get('k1', 'c1'), null);
  assert.equal(reads.get, 1);
  await sticky.bind('k1', 'c1', 'acc-a');
  assert.equal(await store.kv.get('sticky:k1:c1'), 'acc-a');
  const before = reads.get;
  assert.equal(await sticky.get('k1', 'c1'), 'acc-a');
  assert.equal(reads.get, before, 'no store read while the cached binding is fresh');
  // The same conversation id under another key is another binding.
  assert.equal(await sticky.get('k2', 'c1'), null);
  // After the cache time the store is asked again (another instance may have moved the conversation).
  await store.kv.set('sticky:k1:c1', 'acc-b', 60_000);
  clock.advance(5_001);
  assert.equal(await sticky.get('k1', 'c1'), 'acc-b');
  assert.equal(await sticky.get('k1', 'c1', true), 'acc-b');
});

test('bind writes only when the account changes or the TTL is due for renewal', async (t) => {
  const { clock, store, reads, sticky } = setup();
  t.after(() => store.close());
  await sticky.bind('k', 'c', 'a');
  await sticky.bind('k', 'c', 'a');
  assert.equal(reads.set, 1);
  await sticky.bind('k', 'c', 'b');
  assert.equal(reads.set, 2);
  clock.advance(31_000); // less than 30 s of the 60 s TTL left
  await sticky.bind('k', 'c', 'b');
  assert.equal(reads.set, 3);
});

test('the memory cache is bounded: full, it starts over, and bindings are read from the store again', async (t) => {
  const { store, reads, sticky } = setup();
  t.after(() => store.close());
  for (let i = 0; i < 50_000; i++) await sticky.bind(`k${i % 7}`, `c${i}`, 'a');
  const before = reads.get;
  assert.equal(await sticky.get('k0', 'c0'), 'a');
  assert.equal(reads.get, before, 'still cached at the bound');
  await sticky.bind('k0', 'one-more', 'a'); // the 50,001st entry clears the cache
  assert.equal(await sticky.get('k1', 'c1'), 'a');
  assert.equal(reads.get, before + 1, 'read from the store after the cache started over');
  assert.equal(await sticky.get('k0', 'one-more'), 'a');
  assert.equal(reads.get, before + 1, 'the entry that cleared the cache is cached');
});
