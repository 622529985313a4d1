-- Unlinks the invalid entries of one bounded SCAN step over the keys of a cleared cache shard (the cache-wide tag
-- has no index: a clear sweeps instead).
-- KEYS[1]  the shard's stamp key, declared so that a cluster routes the call to the shard's node
-- ARGV[1]  glob pattern of the shard's entry keys
-- ARGV[2]  SCAN cursor ('0' to start)
-- ARGV[3]  SCAN COUNT
-- ARGV[4]  the cache-wide tag's current mark: entries stored under it were written after the clear and stay
-- Returns  {entries unlinked, the next cursor ('0': done)}
local step = redis.call('SCAN', ARGV[2], 'MATCH', ARGV[1], 'COUNT', ARGV[3])
local removed = 0
for _, entry in ipairs(step[2]) do
  if stale(entry, '', ARGV[4]) then
    removed = removed + redis.call('UNLINK', entry)
  end
end
return {removed, step[1]}
