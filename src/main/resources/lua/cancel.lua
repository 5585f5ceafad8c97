-- cancel.lua: remove one reminder from its shard, atomically: scheduled or dead-lettered.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> payload
-- KEYS[3]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries
-- KEYS[4]  <prefix>:{<shard>}:dead      hash, reminder id -> dead-letter record
-- KEYS[5]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- ARGV[1]  reminder id
--
-- A dead letter of the reminder goes too, so no later redrive can deliver what the producer cancelled.
-- A copy already claimed by a dispatcher is not recalled: it is delivered if its delivery succeeds,
-- and neither retried after its lease expires nor dead-lettered (its payload is gone).
-- Returns 1 if the reminder existed (scheduled, in flight or dead), 0 if it was unknown.
local id = ARGV[1]
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[3], id)
redis.call('ZREM', KEYS[5], id)
local payload = redis.call('HDEL', KEYS[2], id)
local dead = redis.call('HDEL', KEYS[4], id)
if payload + dead > 0 then
  return 1
end
return 0
