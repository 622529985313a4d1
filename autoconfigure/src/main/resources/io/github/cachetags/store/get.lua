-- Reads one entry and checks every tag mark it was stored under, in one call.
-- KEYS[1]  entry key
-- ARGV[1]  namespace: the prefix shared by the entry's marks (same hash slot as KEYS[1])
-- Returns  {1, value} on a hit (an empty value is a cached null),
--          {0, seconds, microseconds} on a miss: the Redis TIME at which the miss was seen.
-- An entry whose marks no longer match (purged, or a mark lost) is unlinked and reported as a miss.
local e = redis.call('HMGET', KEYS[1], 'v', 'm')
if e[1] and e[2] then
  local keys, tokens, n = {}, {}, 0
  for tag, token in string.gmatch(e[2], '([^\n]*)\n([^\n]*)\n') do
    n = n + 1
    keys[n] = ARGV[1] .. 'm:' .. tag
    tokens[n] = token
  end
  local current = redis.call('MGET', unpack(keys))
  local valid = n > 0
  for i = 1, n do
    if current[i] ~= tokens[i] then
      valid = false
      break
    end
  end
  if valid then
    return {1, e[1]}
  end
  redis.call('UNLINK', KEYS[1])
elseif e[1] or e[2] then
  redis.call('UNLINK', KEYS[1])
end
local t = redis.call('TIME')
return {0, t[1], t[2]}
