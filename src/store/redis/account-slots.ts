// Account concurrency slots on Redis: one sorted set of leases per account (scored by expiry), taken by one script.
import type { AccountSlotsRepo } from '../types.js';
import type { RedisKeys } from './keys.js';

/** KEYS[1] leases; ARGV now, limit, expiresAt, leaseId, ttlMs. 1 = taken, 0 = full. */
export const ACQUIRE_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

export interface SlotCmd {
  crsAcquireSlot(key: string, now: number, limit: number, expiresAt: number, leaseId: string, ttlMs: number): Promise<number>;
  zrem(key: string, member: string): Promise<number>;
}

export function redisAccountSlots(r: SlotCmd, k: RedisKeys): AccountSlotsRepo {
  return {
    async acquire(accountId, s) {
      return (await r.crsAcquireSlot(k.accountSlots(accountId), s.now, s.limit, s.now + s.ttlMs, s.leaseId, s.ttlMs)) === 1;
    },
    async release(accountId, leaseId) {
      await r.zrem(k.accountSlots(accountId), leaseId);
    },
  };
}
