// API keys on Redis: one JSON document per key, a hash → id lookup entry, and a sorted set of ids by creation time.
import { RelayError } from '../../core/errors.js';
import type { ApiKey } from '../../core/api-key.js';
import { matchesApiKeySearch } from '../search.js';
import type { ApiKeyRepo } from '../types.js';
import { casUpdate, parse, type Cmd, type Emit } from './command.js';
import type { RedisKeys } from './keys.js';

export function redisApiKeys(r: Cmd, k: RedisKeys, emit: Emit): ApiKeyRepo {
  async function loadMany(ids: string[]): Promise<ApiKey[]> {
    if (ids.length === 0) return [];
    const docs = await r.mget(...ids.map((id) => k.apiKey(id)));
    return docs.filter((d): d is string => d !== null).map((d) => JSON.parse(d) as ApiKey);
  }
  return {
    async create(key) {
      const ok = await r.set(k.apiKeyHash(key.hash), key.id, 'NX');
      if (ok !== 'OK') throw new RelayError('CONFLICT', 'An API key with this id or hash already exists');
      const set = await r.set(k.apiKey(key.id), JSON.stringify(key), 'NX');
      if (set !== 'OK') {
        await r.del(k.apiKeyHash(key.hash));
        throw new RelayError('CONFLICT', 'An API key with this id or hash already exists');
      }
      await r.zadd(k.apiKeys, key.createdAt, key.id);
      emit({ entity: 'apiKey', id: key.id });
    },
    async get(id) {
      return parse<ApiKey>(await r.get(k.apiKey(id)));
    },
    async getByHash(hash) {
      const id = await r.get(k.apiKeyHash(hash));
      return id ? parse<ApiKey>(await r.get(k.apiKey(id))) : null;
    },
    async list(query = {}) {
      const ids = await r.zrevrange(k.apiKeys, 0, -1);
      let items = await loadMany(ids);
      // zset order is createdAt; ties broken by id like SQLite does
      items.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
      if (!query.includeDeleted) items = items.filter((x) => x.deletedAt === null);
      if (query.q) items = items.filter((x) => matchesApiKeySearch(x, query.q!));
      const offset = query.offset ?? 0;
      const page = query.limit === undefined ? items.slice(offset) : items.slice(offset, offset + query.limit);
      return { items: page, total: items.length };
    },
    async update(id, patch) {
      const next = await casUpdate<ApiKey>(r, k.apiKey(id), (cur) => ({ ...cur, ...patch, id: cur.id, hash: cur.hash }));
      if (next) emit({ entity: 'apiKey', id });
      return next;
    },
    async remove(id) {
      const cur = parse<ApiKey>(await r.get(k.apiKey(id)));
      if (!cur) return false;
      await r.multi().del(k.apiKey(id)).del(k.apiKeyHash(cur.hash)).zrem(k.apiKeys, id).exec();
      emit({ entity: 'apiKey', id });
      return true;
    },
    async replaceHash(id, from, to, patch = {}) {
      const cur = parse<ApiKey>(await r.get(k.apiKey(id)));
      if (!cur) return null;
      if (cur.hash === to) return cur;
      if (cur.hash !== from) return null;
      // The new lookup entry first (so the key is never unreachable), then the record, then the old entry.
      if ((await r.set(k.apiKeyHash(to), id, 'NX')) !== 'OK' && (await r.get(k.apiKeyHash(to))) !== id) {
        throw new RelayError('CONFLICT', 'An API key with this hash already exists');
      }
      const next = await casUpdate<ApiKey>(r, k.apiKey(id), (c) => (c.hash === from ? { ...c, ...patch, id: c.id, hash: to } : c));
      if (!next || next.hash !== to) {
        await r.crsDeleteIfEquals(k.apiKeyHash(to), id);
        return null;
      }
      await r.crsDeleteIfEquals(k.apiKeyHash(from), id);
      emit({ entity: 'apiKey', id });
      return next;
    },
  };
}
