-- Invalidates every entry of one tag in one cache shard in O(1): replaces the tag's mark with a new token
-- stamped with the Redis time, then moves the tag's index aside so it can be drained in bounded batches.
-- KEYS[1]  mark key
-- KEYS[2]  index key
-- KEYS[3]  drain key: the new name of the index (same hash slot)
-- KEYS[4]  the shard's purge watermark: time of its latest purge, consulted by writes that find a mark missing
-- ARGV[1]  random part of the new token
-- ARGV[2]  guard in milliseconds: the mark lives at least this long, so older loads stay refused
-- Returns  {new mark, 1 if there is an index to drain else 0}
local t = redis.call('TIME')
local mark = t[1] .. string.format('%06d', tonumber(t[2])) .. ':' .. ARGV[1]
local ttl = redis.call('PTTL', KEYS[1])
local guard = tonumber(ARGV[2])
if ttl < guard then
  ttl = guard
end
redis.call('SET', KEYS[1], mark, 'PX', ttl)
local stamp = t[1] .. string.format('%06d', tonumber(t[2]))
redis.call('SET', KEYS[4], stamp)
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RENAME', KEYS[2], KEYS[3])
  return {mark, 1}
end
return {mark, 0}
