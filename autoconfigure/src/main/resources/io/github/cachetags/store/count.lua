-- Counts the members of a tag index whose entries have not expired yet.
-- KEYS[1]  index key
-- Returns  the count (an upper bound: members invalidated through another tag may still be listed)
local t = redis.call('TIME')
local nowMs = math.floor(tonumber(t[1] .. string.format('%06d', tonumber(t[2]))) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. nowMs, '+inf')
