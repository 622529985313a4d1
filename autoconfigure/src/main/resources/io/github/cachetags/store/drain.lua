-- Unlinks one bounded batch of the entries listed in a drained tag index.
-- KEYS[1]  drain key (a tag index renamed by purge.lua)
-- ARGV[1]  namespace
-- ARGV[2]  tag
-- ARGV[3]  batch size
-- Returns  {entries unlinked, members left to drain}
-- Entries stored under the tag's current mark (written after the purge, or after a later one) stay.
local ns, tag = ARGV[1], ARGV[2]
local current = redis.call('GET', ns .. 'm:' .. tag)
local members = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1)
if #members == 0 then
  return {0, 0}
end
local removed = 0
for _, member in ipairs(members) do
  local entry = ns .. 'e:' .. member
  if stale(entry, tag, current) then
    removed = removed + redis.call('UNLINK', entry)
  end
end
-- ZREM in slices: unpack() is limited by the Lua stack (about 8,000 values)
for i = 1, #members, 500 do
  redis.call('ZREM', KEYS[1], unpack(members, i, math.min(i + 499, #members)))
end
return {removed, redis.call('ZCARD', KEYS[1])}
