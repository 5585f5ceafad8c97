-- cancel.lua: remove one reminder from its shard, atomically.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> JSON payload
-- KEYS[3]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries
-- ARGV[1]  reminder id
--
-- A copy already claimed by a dispatcher is not recalled: it is delivered if its delivery succeeds,
-- and never retried after its lease expires (the reaper finds no payload and drops the claim).
-- Returns 1 if the reminder existed (its payload was present), 0 if it was unknown.
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return redis.call('HDEL', KEYS[2], ARGV[1])
