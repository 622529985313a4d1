-- Lists the cache layouts recorded in the registry that may still have live entries.
-- KEYS[1]  the registry (see register.lua)
-- Returns  the layout descriptors
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
