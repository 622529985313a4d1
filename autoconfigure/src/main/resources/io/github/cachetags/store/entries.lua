-- Reading stored entries without loading their values: prepended to drain.lua and sweep.lua.
-- An entry is one string '<marks length>:<load ms>:<marks><value>' (see put.lua).

-- Whether an entry is not stored under a tag's current mark (current: the mark key's value, false if it is
-- missing), so that no read would return it, as get.lua decides; reading only its header. The mark is read at
-- each step, not remembered from the purge: an entry stored after a later purge of the tag stays. A key that is not
-- an entry counts as stale; a missing key does not.
local function stale(entry, tag, current)
  local head = redis.pcall('GETRANGE', entry, 0, 40)
  if type(head) == 'table' then
    return true
  end
  if head == '' then
    return false
  end
  local a = string.find(head, ':', 1, true)
  local b = a and string.find(head, ':', a + 1, true)
  local size = b and tonumber(string.sub(head, 1, a - 1))
  if not size or size == 0 then
    return true
  end
  if not current then
    return true
  end
  local marks = redis.call('GETRANGE', entry, b, b + size - 1)
  -- a plain search instead of parsing: a mark's token is unique to it, so finding 'tag\ntoken\n' anywhere
  -- means the entry was stored under the tag's current mark
  return not string.find(marks, tag .. '\n' .. string.sub(current, -16) .. '\n', 1, true)
end
