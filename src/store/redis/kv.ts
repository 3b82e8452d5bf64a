// Small shared state with expiry on Redis (sticky sessions, health, settings, locks). scan() reads an index
// per namespace (the part of a key before its first ':') instead of SCANning the keyspace: a sorted set scored by
// expiry, trimmed on every write, so it holds live entries only (sticky sessions come and go by the thousand).
import type { Redis } from 'ioredis';
import type { Clock } from '../../core/clock.js';
import type { KvRepo } from '../types.js';
import type { RedisKeys } from './keys.js';

export type KvCmd = Redis & { crsDeleteIfEquals(key: string, value: string): Promise<number> };

export function redisKv(r: KvCmd, k: RedisKeys, clock: Clock): KvRepo {
  const ns = (key: string) => k.kvNamespace(key.includes(':') ? key.slice(0, key.indexOf(':')) : key);
  /** Index score: when the entry expires (+inf when it does not). */
  const expiry = (ttlMs?: number) => (ttlMs === undefined ? '+inf' : clock.now() + Math.max(1, Math.ceil(ttlMs)));
  return {
    get: (key) => r.get(k.kv(key)),
    async getMany(keys) {
      return keys.length ? r.mget(...keys.map((x) => k.kv(x))) : [];
    },
    async set(key, value, ttlMs) {
      const m = r.multi();
      if (ttlMs === undefined) m.set(k.kv(key), value);
      else m.set(k.kv(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)));
      await m.zadd(ns(key), expiry(ttlMs), key).zremrangebyscore(ns(key), '-inf', clock.now()).exec();
    },
    async setIfAbsent(key, value, ttlMs) {
      const ok = await r.set(k.kv(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      // Claims are often one key per occasion (a scheduled run, an alert): trim the expired ones like set() does.
      if (ok === 'OK') await r.multi().zadd(ns(key), expiry(ttlMs), key).zremrangebyscore(ns(key), '-inf', clock.now()).exec();
      return ok === 'OK';
    },
    async delete(key) {
      await r.multi().del(k.kv(key)).zrem(ns(key), key).exec();
    },
    async deleteIfEquals(key, value) {
      return (await r.crsDeleteIfEquals(k.kv(key), value)) === 1;
    },
    async scan(prefix) {
      const members = (await r.zrangebyscore(ns(prefix), clock.now(), '+inf')).filter((m) => m.startsWith(prefix)).sort();
      if (members.length === 0) return [];
      const values = await r.mget(...members.map((m) => k.kv(m)));
      const out: { key: string; value: string }[] = [];
      members.forEach((m, i) => {
        if (values[i] !== null) out.push({ key: m, value: values[i] });
      });
      return out;
    },
    async ttl(key) {
      const ms = await r.pttl(k.kv(key));
      if (ms === -2) return null;
      return ms === -1 ? Infinity : ms;
    },
  };
}
