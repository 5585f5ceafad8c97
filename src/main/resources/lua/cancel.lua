-- cancel.lua: remove one reminder from its shard, atomically.
--
-- KEYS[1]  <prefix>:{<shard>}:due      sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload  hash, reminder id -> JSON payload
-- ARGV[1]  reminder id
--
-- Returns 1 if the reminder existed (its payload was present), 0 if it was unknown.
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('HDEL', KEYS[2], ARGV[1])
