-- Gives up a load lease if the caller still holds it (after a failed or refused load).
-- KEYS[1]  lease key
-- ARGV[1]  the caller's lease token
-- Returns  1 if released, 0 if the lease was not the caller's
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
