-- Stores one entry under its tags' current marks, unless a purge or eviction happened after its load began.
-- KEYS[1]  entry key
-- ARGV[1]  namespace (marks, indexes and tombstones share the entry's hash slot)
-- ARGV[2]  user key (index member; entry key = namespace .. 'e:' .. user key)
-- ARGV[3]  serialized value (empty = cached null)
-- ARGV[4]  time to live in milliseconds
-- ARGV[5]  load start, Redis time in microseconds
-- ARGV[6]  guard in milliseconds: a load older than this is refused
-- ARGV[7]  random token for marks this call creates
-- ARGV[8]  how many expired index members to prune per touched index
-- ARGV[9]  load lease token to release ('' for none), or '!nx' to store only if no entry exists; a writer whose
--          lease expired or was taken over is treated as '!nx', so a late load never overwrites a fresher value
-- ARGV[10] how long the load took in milliseconds (kept for probabilistic early refresh)
-- ARGV[11..] tags; ARGV[11] is the cache-wide tag ''
-- Returns  1 stored; 0 refused (a mark or tombstone is newer than the load start, or the load is too old);
--          2 not stored because an entry exists ('!nx')
-- A missing mark may have been lost after a purge, so it counts as purged at the shard's purge watermark
-- (namespace .. 'p', the time of the shard's latest purge, one key per shard without expiry); a missing watermark
-- is created at the current time, which refuses this one write and lets later ones through.
local t = redis.call('TIME')
local nowText = t[1] .. string.format('%06d', tonumber(t[2]))
local now = tonumber(nowText)
local nowMs = math.floor(now / 1000)
local ns, member = ARGV[1], ARGV[2]
local ttl, start, guard = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local prune = tonumber(ARGV[8])
local lease = ARGV[9]
local ifAbsent = lease == '!nx'
if lease ~= '' and not ifAbsent then
  local key = ns .. 'l:' .. member
  if redis.call('GET', key) == lease then
    redis.call('DEL', key)
  else
    ifAbsent = true
  end
end
if ifAbsent and redis.call('EXISTS', KEYS[1]) == 1 then
  return 2
end
if now - start > guard * 1000 then
  return 0
end
local tomb = redis.call('GET', ns .. 'k:' .. member)
if tomb and tonumber(tomb) >= start then
  return 0
end
local markKeys, n = {}, 0
for i = 11, #ARGV do
  n = n + 1
  markKeys[n] = ns .. 'm:' .. ARGV[i]
end
local marks = redis.call('MGET', unpack(markKeys))
local watermark = false
for i = 1, n do
  local since
  if marks[i] then
    since = tonumber(string.match(marks[i], '^(%d+):'))
  else
    if not watermark then
      watermark = tonumber(redis.call('GET', ns .. 'p'))
      if not watermark then
        watermark = now
        redis.call('SET', ns .. 'p', nowText)
      end
    end
    since = watermark
  end
  if since and since >= start then
    return 0
  end
end
local expiry = nowMs + ttl
local stamped = {}
for i = 1, n do
  local mark = marks[i]
  if not mark then
    mark = '0:' .. ARGV[7] .. ':' .. i
    redis.call('SET', markKeys[i], mark, 'PX', ttl + guard)
  elseif redis.call('PTTL', markKeys[i]) < ttl + guard then
    redis.call('PEXPIRE', markKeys[i], ttl + guard)
  end
  local tag = ARGV[10 + i]
  stamped[i] = tag .. '\n' .. mark .. '\n'
  local index = ns .. 'i:' .. tag
  redis.call('ZADD', index, expiry, member)
  if redis.call('PTTL', index) < ttl then
    redis.call('PEXPIRE', index, ttl)
  end
  local expired = redis.call('ZRANGEBYSCORE', index, '-inf', nowMs, 'LIMIT', 0, prune)
  if #expired > 0 then
    redis.call('ZREM', index, unpack(expired))
  end
end
redis.call('HSET', KEYS[1], 'v', ARGV[3], 'm', table.concat(stamped), 'd', ARGV[10])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
