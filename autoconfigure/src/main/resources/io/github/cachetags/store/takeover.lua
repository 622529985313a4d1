-- Takes over a load lease whose holder is known to have given up (a token of this instance that no load of this
-- instance uses any more: its release was lost), so that readers do not wait for the lease to expire.
-- KEYS[1]  lease key
-- ARGV[1]  the abandoned holder's token
-- ARGV[2]  the caller's token
-- ARGV[3]  lease lifetime in milliseconds
-- Returns  1 if the caller now holds the lease, 0 if the lease changed hands meanwhile
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
