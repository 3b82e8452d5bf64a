// Account groups on Redis: one JSON document per group and a set of group ids.
import { groupRecord, type AccountGroup } from '../../core/account-group.js';
import type { GroupRepo } from '../types.js';
import { execOrThrow, type Cmd, type Emit } from './command.js';
import type { RedisKeys } from './keys.js';

export function redisGroups(r: Cmd, k: RedisKeys, emit: Emit): GroupRepo {
  return {
    async get(id) {
      const doc = await r.get(k.group(id));
      return doc ? groupRecord(JSON.parse(doc) as AccountGroup) : null;
    },
    async list() {
      const ids = await r.smembers(k.groups);
      if (ids.length === 0) return [];
      const docs = await r.mget(...ids.map((id) => k.group(id)));
      const out = docs.filter((d): d is string => d !== null).map((d) => groupRecord(JSON.parse(d) as AccountGroup));
      return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async put(group) {
      await execOrThrow(
        r
          .multi()
          .set(k.group(group.id), JSON.stringify(groupRecord(group)))
          .sadd(k.groups, group.id),
      );
      emit({ entity: 'group', id: group.id });
    },
    async remove(id) {
      const [deleted] = (await execOrThrow(r.multi().del(k.group(id)).srem(k.groups, id))) as number[];
      if (deleted) emit({ entity: 'group', id });
      return deleted > 0;
    },
  };
}
