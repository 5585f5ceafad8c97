-- dead-delete.lua: discard one dead letter.
--
-- KEYS[1]  <prefix>:{<shard>}:dead      hash, reminder id -> dead-letter record
-- KEYS[2]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- ARGV[1]  reminder id
--
-- Returns 1 if it existed, 0 if not.
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('HDEL', KEYS[1], ARGV[1])
