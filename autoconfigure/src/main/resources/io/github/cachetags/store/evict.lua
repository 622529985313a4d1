-- Removes one entry and fences its key so that a load begun before now cannot store it again.
-- KEYS[1]  entry key
-- KEYS[2]  fence key (same hash slot)
-- ARGV[1]  namespace
-- ARGV[2]  random token, part of a shard stamp key this call creates
-- ARGV[3]  fence lifetime in milliseconds
-- Returns  1 if an entry was removed, 0 otherwise
local fence = tonumber(ARGV[3])
local n, epoch = bump(ARGV[1], ARGV[2], fence)
redis.call('SET', KEYS[2], n .. ':' .. epoch, 'PX', fence)
return redis.call('UNLINK', KEYS[1])
