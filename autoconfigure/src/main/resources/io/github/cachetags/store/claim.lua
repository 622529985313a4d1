-- Claims a purge's background drain whose claim lapsed (the instance draining it stopped), so that one instance
-- resumes it.
-- KEYS[1]  the registry of drains (a sorted set: member = drain, score = client time in ms its claim lapses at)
-- ARGV[1]  the drain
-- ARGV[2]  now, in the caller's milliseconds
-- ARGV[3]  the new claim's end, in the caller's milliseconds
-- Returns  1 if the caller now holds the claim, 0 if the drain is gone or claimed by another instance
local lapses = redis.call('ZSCORE', KEYS[1], ARGV[1])
if lapses and tonumber(lapses) <= tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  return 1
end
return 0
