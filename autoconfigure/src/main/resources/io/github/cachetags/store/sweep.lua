-- Unlinks the invalid entries of one bounded SCAN step over the keys of a cleared cache shard (the cache-wide tag
-- has no index: a clear sweeps instead).
-- KEYS[1]  the shard's stamp key, declared so that a cluster routes the call to the shard's node
-- ARGV[1]  glob pattern of the shard's entry keys
-- ARGV[2]  SCAN cursor ('0' to start)
-- ARGV[3]  SCAN COUNT
-- ARGV[4]  namespace
-- Returns  {entries unlinked, the next cursor ('0': done)}
-- Entries stored under the cache-wide tag's current mark (written after the clear, or after a later one) stay.
local step = redis.call('SCAN', ARGV[2], 'MATCH', ARGV[1], 'COUNT', ARGV[3])
local current = redis.call('GET', ARGV[4] .. 'm:')
local removed = 0
for _, entry in ipairs(step[2]) do
  if stale(entry, '', current) then
    removed = removed + redis.call('UNLINK', entry)
  end
end
return {removed, step[1]}
