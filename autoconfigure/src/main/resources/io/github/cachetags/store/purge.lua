-- Invalidates every entry of one tag in one cache shard in O(1): replaces the tag's mark with a new one stamped
-- with the shard's raised counter, then moves the tag's index aside so it can be drained in bounded batches.
-- The cache-wide tag '' (a clear) has no index: its entries are swept by SCAN (sweep.lua).
-- KEYS[1]  mark key
-- KEYS[2]  index key
-- KEYS[3]  drain key: the new name of the index (same hash slot)
-- KEYS[4]  the shard's stamp key (namespace .. 'q'), declared for a cluster migrating the slot (see get.lua)
-- ARGV[1]  namespace
-- ARGV[2]  random part of the new mark
-- ARGV[3]  fence lifetime in milliseconds: the mark and the shard stamp live at least this long, so loads begun
--          before the purge stay refused
-- ARGV[4]  the tag
-- ARGV[5]  channel of near-cache invalidations ('' for none; see announce() in stamps.lua)
-- Returns  {new mark, 1 if there is an index to drain else 0, how many unexpired entries the index listed};
--          for the cache-wide tag: {new mark, 2 (sweep the shard), 1 if anything was stored since the last clear
--          else 0}
local ns, fence = ARGV[1], tonumber(ARGV[3])
local n, epoch = bump(ns, ARGV[2], fence)
redis.call('HSET', ns .. 'q', tagField(ARGV[4]), n)
local mark = n .. ':' .. epoch .. ':' .. ARGV[2]
local ttl = redis.call('PTTL', KEYS[1])
if ttl < fence then
  ttl = fence
end
redis.call('SET', KEYS[1], mark, 'PX', ttl)
announce(ARGV[5], ns, epoch, 'T', ARGV[4])
if ARGV[4] == '' then
  local stored = redis.call('HDEL', ns .. 'q', 'w')
  return {mark, 2, stored}
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  -- counted before the drain (which runs in the background): O(log n) on the index's expiry scores
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local listed = redis.call('ZCOUNT', KEYS[2], '(' .. now, '+inf')
  redis.call('RENAME', KEYS[2], KEYS[3])
  return {mark, 1, listed}
end
return {mark, 0, 0}
