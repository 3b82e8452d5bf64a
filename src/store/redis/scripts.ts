// Lua scripts: each multi-step update is one atomic round trip.

/**
 * Record a batch of requests. KEYS: the requests zset, then per request its doc, its key's requests zset and the agg
 * hashes of its hour, day and month (5 each). ARGV: count, retentionMs, hourTtlSec, the 8 metric names, then per
 * request its doc, ts, requestId, dims prefix and the 8 metric values (12 each).
 * A request whose id was already recorded (an idempotent replay) changes nothing. The aggregate increments of the
 * batch are summed here, after each request's guard, and each hash field is incremented once; each zset is trimmed
 * once, to the newest request's cutoff: one HINCRBY per field and one trim per zset instead of per request (the
 * per-request script ran ~19 commands for each request). Numbers go to Redis as the client's strings or, for the
 * sums, formatted with %.0f: Redis 7.0 passes a Lua number of 1e17 or more in exponent form, which HINCRBY refuses.
 * Returns how many requests were recorded.
 */
export const RECORD_USAGE_BATCH = `
local n = tonumber(ARGV[1])
local retention = tonumber(ARGV[2])
local names = {}
for i = 1, 8 do names[i] = ARGV[3 + i] end
local sums, sumKeys, hourKeys, cutoffs, zsets = {}, {}, {}, {}, {}
local recorded = 0
local function newest(z, ts)
  if cutoffs[z] == nil then zsets[#zsets + 1] = z end
  if cutoffs[z] == nil or ts > cutoffs[z] then cutoffs[z] = ts end
end
for e = 0, n - 1 do
  local k = 2 + e * 5
  local a = 12 + e * 12
  if redis.call('SET', KEYS[k], ARGV[a], 'NX', 'PX', ARGV[2]) then
    recorded = recorded + 1
    local ts = tonumber(ARGV[a + 1])
    redis.call('ZADD', KEYS[1], ARGV[a + 1], ARGV[a + 2])
    redis.call('ZADD', KEYS[k + 1], ARGV[a + 1], ARGV[a + 2])
    newest(KEYS[1], ts)
    newest(KEYS[k + 1], ts)
    local dims = ARGV[a + 3]
    for g = 2, 4 do
      local h = KEYS[k + g]
      local s = sums[h]
      if s == nil then
        s = {}
        sums[h] = s
        sumKeys[#sumKeys + 1] = h
      end
      for i = 1, 8 do
        local v = tonumber(ARGV[a + 3 + i])
        if v ~= 0 then
          local f = dims .. names[i]
          s[f] = (s[f] or 0) + v
        end
      end
    end
    hourKeys[KEYS[k + 2]] = true
  end
end
for _, z in ipairs(zsets) do redis.call('ZREMRANGEBYSCORE', z, '-inf', cutoffs[z] - retention) end
for _, h in ipairs(sumKeys) do
  for f, v in pairs(sums[h]) do redis.call('HINCRBY', h, f, string.format('%.0f', v)) end
end
for h in pairs(hourKeys) do redis.call('EXPIRE', h, ARGV[3]) end
return recorded
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

/** Replace KEYS[1] only while it holds ARGV[1]: set it to ARGV[2] expiring in ARGV[3] ms. Returns 1 when replaced. */
export const REPLACE_IF_EQUALS = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

/**
 * Admission for one request of a key: KEYS leases (zset, score = expiry), window (hash start/req/tok/cost),
 * day cost, total (hash cost/tok), week cost, queue (zset waiter → enqueue time), queue expiry (zset waiter →
 * expiry), queue figures (hash). ARGV now, concurrency limit, lease id, lease ttl, window ms, window max
 * requests/tokens/cost, daily max, total max cost, total max tokens, weekly max (0 = not checked), waiter id
 * ('' = no queue), max waiting, waiter ttl.
 * Returns {reason, n}: 'ok' when admitted (the slot is taken and the request counted); n is the window's end for
 * window refusals and the position for 'queued'.
 */
export const ADMIT = `
local now = tonumber(ARGV[1])
local conc = tonumber(ARGV[2])
local waiter = ARGV[13] or ''
local winMs = tonumber(ARGV[5])
local start = now
local live = false
if winMs > 0 then
  local s = redis.call('HGET', KEYS[2], 'start')
  if s and tonumber(s) + winMs > now then
    live = true
    start = tonumber(s)
  end
end
local function refused()
  if live then
    local ends = start + winMs
    local function over(field, max)
      return max > 0 and tonumber(redis.call('HGET', KEYS[2], field) or '0') >= max
    end
    if over('req', tonumber(ARGV[6])) then return {'window_requests', ends} end
    if over('tok', tonumber(ARGV[7])) then return {'window_tokens', ends} end
    if over('cost', tonumber(ARGV[8])) then return {'window_cost', ends} end
  end
  if tonumber(ARGV[9]) > 0 and tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[9]) then return {'daily_cost', 0} end
  if tonumber(ARGV[10]) > 0 and tonumber(redis.call('HGET', KEYS[4], 'cost') or '0') >= tonumber(ARGV[10]) then return {'total_cost', 0} end
  if tonumber(ARGV[11]) > 0 and tonumber(redis.call('HGET', KEYS[4], 'tok') or '0') >= tonumber(ARGV[11]) then return {'total_tokens', 0} end
  if tonumber(ARGV[12]) > 0 and tonumber(redis.call('GET', KEYS[5]) or '0') >= tonumber(ARGV[12]) then return {'weekly_cost', 0} end
  return nil
end
local waited = -1
if conc > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  local free = conc - redis.call('ZCARD', KEYS[1])
  if waiter == '' then
    if free <= 0 then return {'concurrency', 0} end
  else
    local gone = redis.call('ZRANGEBYSCORE', KEYS[7], '-inf', now)
    for _, g in ipairs(gone) do
      redis.call('ZREM', KEYS[6], g)
      redis.call('ZREM', KEYS[7], g)
    end
    local rank = redis.call('ZRANK', KEYS[6], waiter)
    if rank then
      if rank >= free then return {'queued', rank + 1} end
      waited = now - tonumber(redis.call('ZSCORE', KEYS[6], waiter))
      redis.call('ZREM', KEYS[6], waiter)
      redis.call('ZREM', KEYS[7], waiter)
    else
      local waiting = redis.call('ZCARD', KEYS[6])
      if free <= waiting then
        local r = refused()
        if r then return r end
        if waiting >= tonumber(ARGV[14]) then
          redis.call('HINCRBY', KEYS[8], 'rejected', 1)
          return {'queue_full', 0}
        end
        local ttl = tonumber(ARGV[15])
        redis.call('ZADD', KEYS[6], now, waiter)
        redis.call('ZADD', KEYS[7], now + ttl, waiter)
        redis.call('PEXPIRE', KEYS[6], ttl * 2)
        redis.call('PEXPIRE', KEYS[7], ttl * 2)
        redis.call('HINCRBY', KEYS[8], 'entered', 1)
        return {'queued', waiting + 1}
      end
    end
  end
end
local r = refused()
if r then return r end
if conc > 0 then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) * 2)
end
if waited >= 0 then
  redis.call('HINCRBY', KEYS[8], 'served', 1)
  redis.call('HINCRBY', KEYS[8], 'waitMs', waited)
end
if winMs > 0 then
  if live then
    redis.call('HINCRBY', KEYS[2], 'req', 1)
  else
    redis.call('DEL', KEYS[2])
    redis.call('HSET', KEYS[2], 'start', now, 'req', 1, 'tok', 0, 'cost', 0)
    redis.call('PEXPIRE', KEYS[2], winMs)
  end
end
return {'ok', 0}
`;

/** A waiter leaves its key's queue: KEYS queue, queue expiry, queue figures; ARGV waiter id, figure to count. */
export const LEAVE_QUEUE = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then redis.call('HINCRBY', KEYS[3], ARGV[2], 1) end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

/**
 * Adds a finished request to a key's counters. KEYS day, total, week, window. ARGV tokens, cost, counts-weekly
 * ('1'/'0'), day ttl ms, week ttl ms. The window (which expires with its end) gets it only while it exists.
 */
export const SETTLE = `
redis.call('INCRBY', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('HINCRBY', KEYS[2], 'cost', ARGV[2])
redis.call('HINCRBY', KEYS[2], 'tok', ARGV[1])
if ARGV[3] == '1' then
  redis.call('INCRBY', KEYS[3], ARGV[2])
  redis.call('PEXPIRE', KEYS[3], ARGV[5])
end
if redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('HINCRBY', KEYS[4], 'tok', ARGV[1])
  redis.call('HINCRBY', KEYS[4], 'cost', ARGV[2])
end
return 1
`;
