-- Stores one entry under its tags' current marks, unless an invalidation it could have missed happened after
-- its load began (the stale-set race).
-- KEYS[1]  entry key
-- KEYS[2]  the shard's stamp key (namespace .. 'q'), declared for a cluster migrating the slot (see get.lua)
-- ARGV[1]  namespace (marks, indexes and the shard stamp share the entry's hash slot)
-- ARGV[2]  user key (tag index member; entry key = namespace .. 'e:' .. user key)
-- ARGV[3]  serialized value (empty = cached null)
-- ARGV[4]  time to live in milliseconds
-- ARGV[5]  load start: the shard stamp read when the load began ('n:epoch:replication id'), '' for "now" (a value the caller
--          vouches for, such as a programmatic put), or '?' when unknown (Redis was not reached then)
-- ARGV[6]  Redis time in microseconds when the load began, 0 if unknown
-- ARGV[7]  max load time in milliseconds: an older load is refused
-- ARGV[8]  fence lifetime in milliseconds: marks and the shard stamp outlive an entry by at least this
-- ARGV[9]  random token for marks, and for a stamp key this call creates
-- ARGV[10] how many expired members to prune from each touched index (the caller samples: most writes prune none)
-- ARGV[11] mode: a load lease token to release; '' a load; '!nx' a load stored only if no entry exists; '!put'
--          a replacing write (Cache.put, @CachePut). A load whose lease expired or was taken over is treated
--          as '!nx', so a late load never overwrites a fresher value.
-- ARGV[12] how long the load took in milliseconds (kept for probabilistic early refresh)
-- ARGV[13] channel of near-cache invalidations ('' for none): a replacing write, and a load that overwrites an
--          entry (a refresh), are announced (see announce() in stamps.lua)
-- ARGV[14..] tags; ARGV[14] is the cache-wide tag '' (a mark, no index: a clear sweeps the shard's keys)
-- Returns  1 stored; 0 refused; 2 not stored because an entry exists ('!nx');
--          3 a replacing write refused: the key was invalidated instead (entry removed, older loads fenced off).
--          A replacing write returns {1 or 3, the key's bucket field, the counter it now holds}, so that the caller
--          can read the field back on the primary it reaches after waiting for a replica.
-- Refused: the load start is unknown, of another epoch, or of another replication history (a failover came
-- between); the load is older than the max load time; the key's
-- bucket moved (the key, or another key of its bucket, was evicted or replaced) after the start; a tag was
-- purged after the start; or a tag's mark is missing (lost, or never made) and the tag's bucket moved after the
-- start. A missing mark is created stamped with its bucket's latest purge, so it never looks older than a purge
-- it may stand for. A replacing write raises the shard counter and its key's bucket, so no load begun before it
-- stores later.
-- The entry is one string: '<marks length>:<load ms>:<marks><value>', marks being 'tag\ntoken\n' for each tag,
-- where token is the last 16 characters of the tag's mark: its random part, unique to the mark (a mark ends with a
-- random token of 16 hex digits, followed in a mark made here by the tag's position).
local ns, member = ARGV[1], ARGV[2]
local ttl, start, startTime = tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])
local maxAge, fence, token, prune = tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[9], tonumber(ARGV[10])
local mode = ARGV[11]
local replacing = mode == '!put'
local life = ttl + fence
local epoch, counter = shardStamp(ns, token, life)
keepAtLeast(ns .. 'q', life)
local keyBucket = keyField(member)

local function fenceKey()
  local n = redis.call('HINCRBY', ns .. 'q', 'n', 1)
  redis.call('HSET', ns .. 'q', keyBucket, n)
  return n
end

local function invalidate()
  local n = fenceKey()
  redis.call('UNLINK', KEYS[1])
  announce(ARGV[13], ns, epoch, 'K', member)
  return {3, keyBucket, tostring(n)}
end

local function refuse()
  if replacing then
    return invalidate()
  end
  return 0
end

-- the lease is given up first, whatever happens to the value: no reader waits on a lease nobody uses
local ifAbsent = mode == '!nx'
if mode ~= '' and not ifAbsent and not replacing then
  local key = ns .. 'l:' .. member
  if redis.call('GET', key) == mode then
    redis.call('DEL', key)
  else
    ifAbsent = true
  end
end

local startN
if start == '' then
  startN = counter
elseif start ~= '?' then
  local n, e, r = string.match(start, '^(%d+):([^:]+):(%x*)$')
  -- an empty replication ID: the server had no replicas when the load began, so no failover to guard against
  if n and e == epoch and (r == '' or r == replicationId()) then
    startN = tonumber(n)
  end
end
if not startN then
  return refuse()
end
local t = redis.call('TIME')
if startTime > 0 and tonumber(t[1]) * 1000000 + tonumber(t[2]) - startTime > maxAge * 1000 then
  return refuse()
end

if ifAbsent and redis.call('EXISTS', KEYS[1]) == 1 then
  return 2
end

if bucketStamp(ns, keyBucket) > startN then
  return refuse()
end
local markKeys, n = {}, 0
for i = 14, #ARGV do
  n = n + 1
  markKeys[n] = ns .. 'm:' .. ARGV[i]
end
local marks = redis.call('MGET', unpack(markKeys))
for i = 1, n do
  local after = nil
  if marks[i] then
    after = isAfter(marks[i], epoch, startN)
  end
  if after == nil then
    -- missing or unreadable: may stand for a purge whose mark was lost
    marks[i] = false
    after = bucketStamp(ns, tagField(ARGV[13 + i])) > startN
  end
  if after then
    return refuse()
  end
end

local fenced = nil
if replacing then
  fenced = fenceKey()
end
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expiry = nowMs + ttl
local stamped = {}
for i = 1, n do
  local mark = marks[i]
  if not mark then
    mark = bucketStamp(ns, tagField(ARGV[13 + i])) .. ':' .. epoch .. ':' .. token .. i
    redis.call('SET', markKeys[i], mark, 'PX', life)
  else
    keepAtLeast(markKeys[i], life)
  end
  local tag = ARGV[13 + i]
  stamped[i] = tag .. '\n' .. string.sub(mark, -16) .. '\n'
  if i > 1 then
    local index = ns .. 'i:' .. tag
    redis.call('ZADD', index, expiry, member)
    keepAtLeast(index, ttl)
    if prune > 0 then
      local expired = redis.call('ZRANGEBYSCORE', index, '-inf', nowMs, 'LIMIT', 0, prune)
      if #expired > 0 then
        redis.call('ZREM', index, unpack(expired))
      end
    end
  end
end
local replaced = (not replacing) and redis.call('EXISTS', KEYS[1]) == 1
local marks = table.concat(stamped)
redis.call('SET', KEYS[1], #marks .. ':' .. ARGV[12] .. ':' .. marks .. ARGV[3], 'PX', ttl)
-- something was stored since the last clear (what Cache.invalidate() answers)
redis.call('HSET', ns .. 'q', 'w', 1)
if replacing then
  announce(ARGV[13], ns, epoch, 'K', member)
elseif replaced or ifAbsent then
  -- a value other than a load replaced what near caches may hold (a refresh, a put-if-absent after Redis evicted
  -- the entry); n moves with every announcement, so near caches can tell an unannounced invalidation by n
  redis.call('HINCRBY', ns .. 'q', 'n', 1)
  announce(ARGV[13], ns, epoch, 'K', member)
end
if replacing then
  return {1, keyBucket, tostring(fenced)}
end
return 1
