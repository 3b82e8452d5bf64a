// Admin users and upstream accounts on Redis: one JSON document per record plus an index (a set of admin names, a
// sorted set of account ids by creation time); accounts' last-used times live in one hash, written in batches.
import { RelayError } from '../../core/errors.js';
import type { Account } from '../../core/account.js';
import type { AdminUser } from '../../core/admin.js';
import type { AccountRepo, AdminRepo } from '../types.js';
import { casUpdate, parse, type Cmd, type Emit } from './command.js';
import type { RedisKeys } from './keys.js';

export function redisAdmins(r: Cmd, k: RedisKeys, emit: Emit): AdminRepo {
  return {
    async get(username) {
      return parse<AdminUser>(await r.get(k.admin(username)));
    },
    async put(user) {
      await r.multi().set(k.admin(user.username), JSON.stringify(user)).sadd(k.admins, user.username).exec();
      emit({ entity: 'admin', id: user.username });
    },
    async count() {
      return r.scard(k.admins);
    },
  };
}

export function redisAccounts(r: Cmd, k: RedisKeys, emit: Emit): AccountRepo {
  const withLastUsed = (a: Account, lastUsed: string | null | undefined): Account =>
    lastUsed ? { ...a, lastUsedAt: Math.max(a.lastUsedAt ?? 0, Number(lastUsed)) } : a;
  return {
    async create(account) {
      const ok = await r.set(k.account(account.id), JSON.stringify(account), 'NX');
      if (ok !== 'OK') throw new RelayError('CONFLICT', 'An account with this id already exists');
      await r.zadd(k.accounts, account.createdAt, account.id);
      emit({ entity: 'account', id: account.id });
    },
    async get(id) {
      const [doc, last] = await Promise.all([r.get(k.account(id)), r.hget(k.accountLastUsed, id)]);
      const a = parse<Account>(doc);
      return a ? withLastUsed(a, last) : null;
    },
    async list() {
      const ids = await r.zrange(k.accounts, 0, -1);
      if (ids.length === 0) return [];
      const [docs, last] = await Promise.all([r.mget(...ids.map((id) => k.account(id))), r.hgetall(k.accountLastUsed)]);
      const out: Account[] = [];
      docs.forEach((d) => {
        if (d) {
          const a = JSON.parse(d) as Account;
          out.push(withLastUsed(a, last[a.id]));
        }
      });
      return out.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    },
    async update(id, patch) {
      const next = await casUpdate<Account>(r, k.account(id), (cur) => ({ ...cur, ...patch, id: cur.id, kind: cur.kind }));
      if (next) emit({ entity: 'account', id });
      return next;
    },
    async remove(id) {
      const n = await r.del(k.account(id));
      await r.multi().zrem(k.accounts, id).hdel(k.accountLastUsed, id).exec();
      if (n) emit({ entity: 'account', id });
      return n > 0;
    },
    async touch(lastUsed) {
      if (lastUsed.size === 0) return;
      const flat: (string | number)[] = [];
      for (const [id, at] of lastUsed) flat.push(id, at);
      await r.hset(k.accountLastUsed, ...flat);
    },
  };
}
