-- replace-if-unchanged.lua: rewrite one hash field, only if it still holds the value read before.
--
-- KEYS[1]  a hash of one shard (payload or dead)
-- ARGV[1]  field   ARGV[2]  the value read before   ARGV[3]  the new value
--
-- Used by the stored-format migration, so a value written meanwhile is never overwritten.
-- Returns 1 if replaced, 0 if the field changed meanwhile.
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0
