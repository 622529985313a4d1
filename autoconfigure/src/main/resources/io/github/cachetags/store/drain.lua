-- Unlinks one bounded batch of the entries listed in a drained tag index.
-- KEYS[1]  drain key (a tag index renamed by purge.lua)
-- KEYS[2]  cache-wide index of the same shard
-- ARGV[1]  namespace
-- ARGV[2]  tag ('' for the cache-wide tag)
-- ARGV[3]  the tag's current mark: entries stored under it were written after the purge and stay
-- ARGV[4]  batch size
-- Returns  {entries unlinked, members left to drain}
local ns, tag, current = ARGV[1], ARGV[2], ARGV[3]

-- ZREM in slices: unpack() is limited by the Lua stack (about 8,000 values)
local function zremAll(key, list)
  for i = 1, #list, 500 do
    redis.call('ZREM', key, unpack(list, i, math.min(i + 499, #list)))
  end
end

local members = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[4]) - 1)
if #members == 0 then
  return {0, 0}
end
local removed, gone = 0, {}
local wanted = tag .. '\n' .. current .. '\n'
for _, member in ipairs(members) do
  local entry = ns .. 'e:' .. member
  local stamped = redis.pcall('HGET', entry, 'm')
  if type(stamped) == 'table' then
    stamped = ''
  end
  -- a plain search instead of parsing: a mark is unique to its tag, so finding 'tag\nmark\n' anywhere means the
  -- entry was stored under the tag's current mark
  if stamped and not string.find(stamped, wanted, 1, true) then
    removed = removed + redis.call('UNLINK', entry)
    gone[#gone + 1] = member
  end
end
zremAll(KEYS[1], members)
if tag ~= '' then
  zremAll(KEYS[2], gone)
end
return {removed, redis.call('ZCARD', KEYS[1])}
