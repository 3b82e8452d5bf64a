// Lua scripts: each multi-step update is one atomic round trip.

/**
 * Record one request. KEYS: request doc, requests zset, per-key requests zset, agg hour, agg day, agg month.
 * ARGV: doc, ts, requestId, dims prefix, retentionMs, hourTtlSec, then metric name/value pairs.
 * Returns 0 when the request id was already recorded (idempotent replay).
 */
export const RECORD_USAGE = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[5]) then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
local cutoff = tonumber(ARGV[2]) - tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', cutoff)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', cutoff)
for k = 4, 6 do
  for i = 7, #ARGV, 2 do
    local v = tonumber(ARGV[i + 1])
    if v ~= 0 then redis.call('HINCRBY', KEYS[k], ARGV[4] .. ARGV[i], v) end
  end
end
redis.call('EXPIRE', KEYS[4], ARGV[6])
return 1
`;

/** Compare-and-set a JSON document: KEYS[1]; ARGV old, new. Returns 1 on success, 0 when it changed meanwhile, -1 when gone. */
export const CAS_DOC = `
local cur = redis.call('GET', KEYS[1])
if not cur then return -1 end
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

/** Delete KEYS[1] only while it holds ARGV[1] (lock release). */
export const DELETE_IF_EQUALS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
