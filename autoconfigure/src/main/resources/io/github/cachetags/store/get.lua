-- Reads one entry and checks every tag mark it was stored under, in one call.
-- KEYS[1]  entry key
-- KEYS[2]  the shard's stamp key (namespace .. 'q'), declared so that a cluster migrating the slot answers
--          TRYAGAIN or ASK instead of running the script on a node that holds only some of the shard's keys
-- ARGV[1]  namespace: the prefix shared by the entry's marks (same hash slot as KEYS[1])
-- ARGV[2]  lifetime in milliseconds of a shard stamp key this call creates (see stamps.lua)
-- ARGV[3]  '1' where replicas exist: answer only as a primary (a demoted primary's data may lag), and put the
--          replication ID in a miss's stamp; else '0' (the stamp's replication ID is then empty)
-- ARGV[4]  optional: the caller's load lease token; on a miss the caller tries to take the key's lease
-- ARGV[5]  optional: lease lifetime in milliseconds
-- ARGV[6]  optional: the user key (lease key = namespace .. 'l:' .. user key)
-- Returns  {1, entry, pttl} on a hit: the stored entry as it is ('<marks length>:<load ms>:<marks><value>', see
--          put.lua; the caller takes the value, load time and tags from it, so the script copies nothing) and its
--          remaining lifetime in milliseconds,
--          {0, stamp, time, lease, holder} on a miss: the shard stamp ('n:epoch:replication id', see stamps.lua)
--          a load started now must be stored under,
--          the Redis time in microseconds, 1 if the caller now holds the load lease (or already held it) or 0,
--          and the token of the lease's holder ('' if the caller holds it or did not ask);
--          {2} if asked to answer only as a primary and this server is a replica.
-- An entry whose marks no longer match (purged, or a mark lost), or that cannot be read as an entry, is unlinked
-- and reported as a miss.
-- where replicas exist: one INFO gives the role (a demoted primary is not read) and the replication ID
local replication = (ARGV[3] == '1') and redis.call('INFO', 'replication') or nil
if replication and not string.find(replication, 'role:master', 1, true) then
  return {2}
end
local e = redis.pcall('GET', KEYS[1])
if type(e) == 'table' then
  -- not a string (written by something else): unreadable, so removed and a miss
  redis.call('UNLINK', KEYS[1])
elseif e then
  -- an entry: '<marks length>:<load ms>:<marks><value>', marks 'tag\ntoken\n' for each tag (see put.lua)
  local a = string.find(e, ':', 1, true)
  local b = a and string.find(e, ':', a + 1, true)
  local size = b and tonumber(string.sub(e, 1, a - 1))
  local keys, tokens, n = {}, {}, 0
  if size and b + size <= #e then
    local p, stop = b + 1, b + size
    while p <= stop do
      local q = string.find(e, '\n', p, true)
      local r = q and string.find(e, '\n', q + 1, true)
      if not r or r > stop then
        n = 0
        break
      end
      n = n + 1
      keys[n] = ARGV[1] .. 'm:' .. string.sub(e, p, q - 1)
      tokens[n] = string.sub(e, q + 1, r - 1)
      p = r + 1
    end
  end
  local valid = n > 0
  local current = valid and redis.call('MGET', unpack(keys)) or {}
  for i = 1, n do
    -- an entry keeps a mark's last 16 characters: its random part (see put.lua)
    if not current[i] or string.sub(current[i], -16) ~= tokens[i] then
      valid = false
      break
    end
  end
  if valid then
    return {1, e, redis.call('PTTL', KEYS[1])}
  end
  redis.call('UNLINK', KEYS[1])
end
-- the shard stamp, as shardStamp() in stamps.lua does it; inlined so that a hit does not pay for the library
local q = ARGV[1] .. 'q'
local stamp = redis.call('HMGET', q, 'e', 'n')
local t = redis.call('TIME')
if not (stamp[1] and stamp[2]) then
  stamp = {t[1] .. string.format('%06d', tonumber(t[2])) .. string.sub(ARGV[4] or '', -8), '0'}
  redis.call('DEL', q)
  redis.call('HSET', q, 'e', stamp[1], 'n', 0)
  redis.call('PEXPIRE', q, ARGV[2])
end
local epoch, counter = stamp[1], stamp[2]
local lease, holder = 0, ''
if ARGV[4] then
  local key = ARGV[1] .. 'l:' .. ARGV[6]
  if redis.call('SET', key, ARGV[4], 'NX', 'PX', ARGV[5]) then
    lease = 1
  else
    holder = redis.call('GET', key) or ''
    if holder == ARGV[4] then
      lease, holder = 1, ''
    end
  end
end
local replid = replication and string.match(replication, 'master_replid:(%x+)') or ''
return {0, counter .. ':' .. epoch .. ':' .. replid, t[1] .. string.format('%06d', tonumber(t[2])), lease, holder}
