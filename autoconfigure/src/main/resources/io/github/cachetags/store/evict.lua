-- Removes one entry and leaves a tombstone so that a load begun before now cannot store it again.
-- KEYS[1]  entry key
-- KEYS[2]  tombstone key (same hash slot)
-- ARGV[1]  tombstone lifetime in milliseconds (the load guard)
-- Returns  1 if an entry was removed, 0 otherwise
local t = redis.call('TIME')
redis.call('SET', KEYS[2], t[1] .. string.format('%06d', tonumber(t[2])), 'PX', ARGV[1])
return redis.call('UNLINK', KEYS[1])
