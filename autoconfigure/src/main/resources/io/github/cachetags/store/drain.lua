-- Unlinks one bounded batch of the entries listed in a drained tag index.
-- KEYS[1]  drain key (a tag index renamed by purge.lua)
-- KEYS[2]  cache-wide index of the same shard
-- ARGV[1]  namespace
-- ARGV[2]  tag ('' for the cache-wide tag)
-- ARGV[3]  the tag's current mark: entries stored under it were written after the purge and stay
-- ARGV[4]  batch size
-- Returns  {entries unlinked, members left to drain}
local ns, tag, current = ARGV[1], ARGV[2], ARGV[3]
local members = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[4]) - 1)
if #members == 0 then
  return {0, 0}
end
local removed, gone = 0, {}
for _, member in ipairs(members) do
  local entry = ns .. 'e:' .. member
  local stamped = redis.call('HGET', entry, 'm')
  if stamped then
    local token = false
    for t, tok in string.gmatch(stamped, '([^\n]*)\n([^\n]*)\n') do
      if t == tag then
        token = tok
        break
      end
    end
    if token ~= current then
      removed = removed + redis.call('UNLINK', entry)
      gone[#gone + 1] = member
    end
  end
end
redis.call('ZREM', KEYS[1], unpack(members))
if tag ~= '' and #gone > 0 then
  redis.call('ZREM', KEYS[2], unpack(gone))
end
return {removed, redis.call('ZCARD', KEYS[1])}
