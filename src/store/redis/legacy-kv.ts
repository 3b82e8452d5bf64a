// Earlier versions kept account groups, OAuth sessions and admin sessions as JSON in the kv space. When the store
// opens it moves whatever it finds there to the entities' own keys (a no-op once done: three empty index reads).
// Safe with several instances starting at once: a moved entry never overwrites the entity's own key (SET NX), and
// an entry already moved by another instance is simply gone.
import type { AdminSessionRecord } from '../../core/admin.js';
import type { Clock } from '../../core/clock.js';
import { groupRecord, type AccountGroup } from '../../core/account-group.js';
import { execOrThrow, type Cmd } from './command.js';
import { LEGACY_KV, type RedisKeys } from './keys.js';

interface Moved {
  /** The entity's own key for the legacy entry (suffix = the part after the legacy prefix), or null to drop it. */
  key(suffix: string, value: string): string | null;
  value(suffix: string, value: string): string;
  /** Extra writes in the same MULTI (indexes). */
  index?(m: ReturnType<Cmd['multi']>, suffix: string, value: string, expiresAt: number | null): void;
}

function parseObject(value: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(value) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function moveNamespace(r: Cmd, k: RedisKeys, clock: Clock, legacy: { namespace: string; prefix: string }, moved: Moved): Promise<number> {
  const index = k.kvNamespace(legacy.namespace);
  const members = (await r.zrange(index, 0, -1)).filter((m) => m.startsWith(legacy.prefix));
  let n = 0;
  for (const member of members) {
    const old = k.kv(member);
    const [value, pttl] = (await execOrThrow(r.multi().get(old).pttl(old))) as [string | null, number];
    const suffix = member.slice(legacy.prefix.length);
    const target = value === null ? null : moved.key(suffix, value);
    const m = r.multi();
    if (value !== null && target !== null && pttl !== -2) {
      const v = moved.value(suffix, value);
      if (pttl > 0) m.set(target, v, 'PX', pttl, 'NX');
      else m.set(target, v, 'NX');
      moved.index?.(m, suffix, value, pttl > 0 ? clock.now() + pttl : null);
      n++;
    }
    await execOrThrow(m.del(old).zrem(index, member));
  }
  return n;
}

/** Moves legacy kv entries of groups and sessions to their own keys; returns how many moved. */
export async function moveLegacyKv(r: Cmd, k: RedisKeys, clock: Clock): Promise<number> {
  const groups = await moveNamespace(r, k, clock, LEGACY_KV.groups, {
    key: (id, v) => (parseObject(v) ? k.group(id) : null),
    value: (id, v) => JSON.stringify(groupRecord({ ...(parseObject(v) as unknown as AccountGroup), id })),
    index: (m, id) => void m.sadd(k.groups, id),
  });
  const oauth = await moveNamespace(r, k, clock, LEGACY_KV.oauthSessions, {
    key: (id) => k.oauthSession(id),
    value: (_id, v) => v,
  });
  const admin = await moveNamespace(r, k, clock, LEGACY_KV.adminSessions, {
    key: (sid, v) => (typeof parseObject(v)?.username === 'string' && k.adminSession(sid)) || null,
    value: (sid, v) => {
      const o = parseObject(v)!;
      const s: AdminSessionRecord = { sid, username: o.username as string, createdAt: Number(o.at) || 0, ip: typeof o.ip === 'string' ? o.ip : '' };
      return JSON.stringify(s);
    },
    index: (m, sid, _v, expiresAt) => void m.zadd(k.adminSessions, expiresAt ?? '+inf', sid),
  });
  return groups + oauth + admin;
}
