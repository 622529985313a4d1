-- Shard stamps: the order of invalidations and loads in one cache shard, without comparing clocks.
-- Prepended to the scripts that need it (see LuaScript); defines local functions only.
-- The stamp key (namespace .. 'q', a hash in the shard's slot) holds
--   e      the epoch: a token made when the key is created;
--   n      a counter raised by every invalidation of the shard (tag purge, clear, evict, replacing write);
--   t<j>   the value of n at the latest purge of a tag in tag bucket j (TAG_BUCKETS buckets);
--   k<j>   the value of n at the latest eviction or replacing write of a key in key bucket j (KEY_BUCKETS).
-- A stamp is 'n:epoch'. Stamps of one epoch are ordered by n. The key is only ever re-created after it was
-- lost (evicted, expired or deleted), so a mark of another epoch than the current one was written before the
-- current epoch began, and a load that started in another epoch cannot be ordered: it is refused.
-- Buckets keep the order without a key per evicted key or per purged tag that Redis could evict on its own:
-- a load is refused when its key's bucket, or the bucket of a tag whose mark is missing, moved after its start.
-- Another key or tag of the same bucket may refuse a load it did not need to: a store lost, never a stale one.
local TAG_BUCKETS = 64
local KEY_BUCKETS = 128

-- A bucket of a string: a polynomial hash, the same in every script.
local function bucket(text, size)
  local h = 0
  for i = 1, #text do
    h = (h * 31 + string.byte(text, i)) % 2147483647
  end
  return h % size
end

local function keyField(member)
  return 'k' .. bucket(member, KEY_BUCKETS)
end

local function tagField(tag)
  return 't' .. bucket(tag, TAG_BUCKETS)
end

-- The replication ID of the data set (INFO replication's master_replid): a replica promoted by a failover starts
-- a new one. A load that began under another one is refused, because the old primary may have raised counters
-- that were never replicated, so the new primary's counters may repeat them.
local function replicationId()
  return string.match(redis.call('INFO', 'replication'), 'master_replid:(%x+)') or ''
end

-- Reads the shard's epoch and n, creating the key with a new epoch if it is missing.
-- seed: a random token from the client, made part of a new epoch; life: milliseconds the key lives at least.
local function shardStamp(ns, seed, life)
  local q = ns .. 'q'
  local v = redis.call('HMGET', q, 'e', 'n')
  if v[1] and v[2] then
    return v[1], tonumber(v[2])
  end
  local t = redis.call('TIME')
  local epoch = t[1] .. string.format('%06d', tonumber(t[2])) .. string.sub(seed, -8)
  redis.call('DEL', q)
  redis.call('HSET', q, 'e', epoch, 'n', 0)
  redis.call('PEXPIRE', q, life)
  return epoch, 0
end

-- The value of n when a bucket field last moved, 0 if never in this epoch.
local function bucketStamp(ns, field)
  return tonumber(redis.call('HGET', ns .. 'q', field)) or 0
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

-- Whether a mark ('n:epoch:token') was written after the start (startN, in epoch).
-- Returns true, false, or nil when the text cannot be read as a stamp.
local function isAfter(text, epoch, startN)
  local n, e = string.match(text, '^(%d+):([^:]+)')
  if not n then
    return nil
  end
  return e == epoch and tonumber(n) > startN
end

-- Tells near caches of an invalidation: publishes it on the channel (none if '') numbered in the shard's
-- sequence s (the stamp key's field), so a subscriber sees a gap when a message is lost. A server that does not let
-- this user publish (an ACL without the channel) does not fail the invalidation: near caches then notice the
-- missing message by the sequence.
-- Message: kind ('K' a key, 'T' a tag, '' tag = the whole shard), epoch, sequence, the namespace's length, then
-- the namespace followed by the key or tag, one field per line except the last.
local function announce(channel, ns, epoch, kind, arg)
  if channel == '' then
    return
  end
  local s = redis.call('HINCRBY', ns .. 'q', 's', 1)
  redis.pcall('PUBLISH', channel, kind .. '\n' .. epoch .. '\n' .. s .. '\n' .. #ns .. '\n' .. ns .. arg)
end
