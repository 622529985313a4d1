-- Removes one entry and moves its key bucket, so that a load begun before now cannot store it again.
-- KEYS[1]  entry key
-- KEYS[2]  the shard's stamp key (namespace .. 'q'), declared for a cluster migrating the slot (see get.lua)
-- ARGV[1]  namespace
-- ARGV[2]  user key
-- ARGV[3]  random token, part of a shard stamp key this call creates
-- ARGV[4]  fence lifetime in milliseconds: the shard stamp key lives at least this long
-- ARGV[5]  channel of near-cache invalidations ('' for none; see announce() in stamps.lua)
-- Returns  {1 if an entry was removed else 0, the key's bucket field, the counter it now holds}: the caller may read
--          the field back to check that the primary it reaches holds this eviction
local ns = ARGV[1]
local n, epoch = bump(ns, ARGV[3], tonumber(ARGV[4]))
local field = keyField(ARGV[2])
redis.call('HSET', ns .. 'q', field, n)
announce(ARGV[5], ns, epoch, 'K', ARGV[2])
return {redis.call('UNLINK', KEYS[1]), field, tostring(n)}
