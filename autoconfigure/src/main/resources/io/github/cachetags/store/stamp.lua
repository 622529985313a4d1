-- Reads the shard stamp a load starting now must be stored under (for writes not preceded by a read, such
-- as @CachePut).
-- ARGV[1]  namespace
-- ARGV[2]  random token, part of a shard stamp key this call creates
-- ARGV[3]  lifetime in milliseconds of a shard stamp key this call creates
-- Returns  {stamp, Redis time in microseconds}
local epoch, counter = shardStamp(ARGV[1], ARGV[2], tonumber(ARGV[3]))
local t = redis.call('TIME')
return {counter .. ':' .. epoch, t[1] .. string.format('%06d', tonumber(t[2]))}
