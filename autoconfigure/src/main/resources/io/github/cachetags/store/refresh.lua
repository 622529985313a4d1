-- Decides whether the caller refreshes an entry ahead of its expiry, and if so gives it the key's load lease.
-- KEYS[1]  entry key
-- KEYS[2]  lease key (same hash slot)
-- KEYS[3]  the shard's stamp key (namespace .. 'q'), declared for a cluster migrating the slot (see get.lua)
-- ARGV[1]  the caller's lease token
-- ARGV[2]  lease lifetime in milliseconds
-- ARGV[3]  refresh only if the entry lives at most this many more milliseconds
-- ARGV[4]  namespace
-- ARGV[5]  lifetime in milliseconds of a shard stamp key this call creates
-- Returns  {0, pttl} the entry is still fresh enough (another instance refreshed it): nothing to do;
--          {1, stamp, time} the caller holds the lease: the shard stamp and Redis time of its load start;
--          {2} another loader holds the lease;
--          {3} the entry is gone (expired or purged): the next read loads it.
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then
  return {3}
end
if pttl > tonumber(ARGV[3]) then
  return {0, pttl}
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local epoch, counter = shardStamp(ARGV[4], ARGV[1], tonumber(ARGV[5]))
  local t = redis.call('TIME')
  return {1, counter .. ':' .. epoch .. ':' .. replicationId(), t[1] .. string.format('%06d', tonumber(t[2]))}
end
return {2}
