-- Reads the shard stamp a load starting now must be stored under (for writes not preceded by a read, such
-- as @CachePut).
-- KEYS[1]  the shard's stamp key (namespace .. 'q'), declared so that a cluster routes the call to its node
-- ARGV[1]  namespace
-- ARGV[2]  random token, part of a shard stamp key this call creates
-- ARGV[3]  lifetime in milliseconds of a shard stamp key this call creates
-- Returns  {stamp, Redis time in microseconds}
local epoch, counter = shardStamp(ARGV[1], ARGV[2], tonumber(ARGV[3]))
local t = redis.call('TIME')
return {counter .. ':' .. epoch .. ':' .. replicationId(), t[1] .. string.format('%06d', tonumber(t[2]))}
