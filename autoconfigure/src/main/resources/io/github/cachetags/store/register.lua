-- Records cache layouts in the registry that cross-cache purges read, each until a time after which no entry of
-- it can be alive unless an instance records it again; and forgets a bounded number of layouts past that time.
-- KEYS[1]  the registry (a sorted set: member = layout descriptor, score = Redis time in ms it may be forgotten at)
-- ARGV[1]  how long, in milliseconds, the layouts stay recorded without being recorded again
-- ARGV[2..] layout descriptors
-- Returns  how many of the layouts were not recorded (new, or forgotten since: the registry may have been lost)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local added = 0
for i = 2, #ARGV do
  added = added + redis.call('ZADD', KEYS[1], 'GT', now + tonumber(ARGV[1]), ARGV[i]) 
end
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 100)
if #gone > 0 then
  redis.call('ZREM', KEYS[1], unpack(gone))
end
return added
