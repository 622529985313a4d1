-- Shard stamps: the order of invalidations and loads in one cache shard, without comparing clocks.
-- Prepended to the scripts that need it (see LuaScript); defines local functions only.
-- The stamp key (namespace .. 'q', a hash in the shard's slot) holds
--   e  the epoch: a token made when the key is created;
--   n  a counter raised by every invalidation of the shard (tag purge, clear, evict, replacing write);
--   p  the value of n at the shard's latest tag purge.
-- A stamp is 'n:epoch'. Stamps of one epoch are ordered by n. The key is only ever re-created after it was
-- lost (evicted, expired or deleted), so a mark or fence of another epoch than the current one was written
-- before the current epoch began, and a load that started in another epoch cannot be ordered: it is refused.

-- Reads the shard's epoch, n and p, creating the key with a new epoch if it is missing.
-- seed: a random token from the client, made part of a new epoch; life: milliseconds the key lives at least.
local function shardStamp(ns, seed, life)
  local q = ns .. 'q'
  local v = redis.call('HMGET', q, 'e', 'n', 'p')
  if v[1] and v[2] then
    return v[1], tonumber(v[2]), tonumber(v[3]) or 0
  end
  local t = redis.call('TIME')
  local epoch = t[1] .. string.format('%06d', tonumber(t[2])) .. string.sub(seed, 1, 8)
  redis.call('DEL', q)
  redis.call('HSET', q, 'e', epoch, 'n', 0, 'p', 0)
  redis.call('PEXPIRE', q, life)
  return epoch, 0, 0
end

-- Extends a key's lifetime to at least life milliseconds.
local function keepAtLeast(key, life)
  local ttl = redis.call('PTTL', key)
  if ttl == -1 or (ttl >= 0 and ttl < life) then
    redis.call('PEXPIRE', key, life)
  end
end

-- Raises the shard's counter for one invalidation and returns its stamp.
local function bump(ns, seed, life)
  local epoch = shardStamp(ns, seed, life)
  local n = redis.call('HINCRBY', ns .. 'q', 'n', 1)
  keepAtLeast(ns .. 'q', life)
  return n, epoch
end

-- Whether a mark ('n:epoch:token') or fence ('n:epoch') was written after the start (startN, in epoch).
-- Returns true, false, or nil when the text cannot be read as a stamp.
local function isAfter(text, epoch, startN)
  local n, e = string.match(text, '^(%d+):([^:]+)')
  if not n then
    return nil
  end
  return e == epoch and tonumber(n) > startN
end
