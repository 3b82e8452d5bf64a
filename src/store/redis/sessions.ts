// Sessions on Redis: OAuth authorisations in progress (one sealed string per session, expiring with it; compare-
// and-swap by Lua script) and admin sessions (one JSON document each, expiring with the token, and a sorted set of
// sids scored by expiry so the sessions of one admin can be found and ended).
import type { AdminSessionRecord } from '../../core/admin.js';
import type { Clock } from '../../core/clock.js';
import type { AdminSessionRepo, OAuthSessionRepo } from '../types.js';
import { execOrThrow, parse, type Cmd } from './command.js';
import type { RedisKeys } from './keys.js';

const px = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs));

export function redisOAuthSessions(r: Cmd, k: RedisKeys): OAuthSessionRepo {
  return {
    get: (id) => r.get(k.oauthSession(id)),
    async ttl(id) {
      const ms = await r.pttl(k.oauthSession(id));
      if (ms === -2) return null;
      return ms === -1 ? Infinity : ms;
    },
    async put(id, sealed, ttlMs) {
      await r.set(k.oauthSession(id), sealed, 'PX', px(ttlMs));
    },
    async replace(id, prev, next, ttlMs) {
      return (await r.crsReplaceIfEquals(k.oauthSession(id), prev, next, px(ttlMs))) === 1;
    },
    async take(id, sealed) {
      return (await r.crsDeleteIfEquals(k.oauthSession(id), sealed)) === 1;
    },
  };
}

const record = (s: AdminSessionRecord): AdminSessionRecord => ({ sid: s.sid, username: s.username, createdAt: s.createdAt, ip: s.ip });

export function redisAdminSessions(r: Cmd, k: RedisKeys, clock: Clock): AdminSessionRepo {
  const remove = async (sids: string[]) => {
    if (sids.length)
      await execOrThrow(
        r
          .multi()
          .del(...sids.map((sid) => k.adminSession(sid)))
          .zrem(k.adminSessions, ...sids),
      );
  };
  return {
    async get(sid) {
      return parse<AdminSessionRecord>(await r.get(k.adminSession(sid)));
    },
    async put(session, ttlMs) {
      const now = clock.now();
      await execOrThrow(
        r
          .multi()
          .set(k.adminSession(session.sid), JSON.stringify(record(session)), 'PX', px(ttlMs))
          .zadd(k.adminSessions, now + px(ttlMs), session.sid)
          .zremrangebyscore(k.adminSessions, '-inf', now),
      );
    },
    async remove(sid) {
      const cur = parse<AdminSessionRecord>(await r.get(k.adminSession(sid)));
      await remove([sid]);
      return cur;
    },
    async removeByUser(username, exceptSid) {
      const sids = (await r.zrangebyscore(k.adminSessions, clock.now(), '+inf')).filter((sid) => sid !== exceptSid);
      if (sids.length === 0) return 0;
      const docs = await r.mget(...sids.map((sid) => k.adminSession(sid)));
      const ending = sids.filter((_, i) => parse<AdminSessionRecord>(docs[i])?.username === username);
      await remove(ending);
      return ending.length;
    },
  };
}
