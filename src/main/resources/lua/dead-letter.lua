-- dead-letter.lua: delivery of these reminders failed for good; keep them as dead letters.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> JSON payload ({"rev":N,...})
-- KEYS[3]  <prefix>:{<shard>}:inflight  sorted set, reminder id -> lease expiry
-- KEYS[4]  <prefix>:{<shard>}:claims    hash, reminder id -> "<revision>|<claim id>"
-- KEYS[5]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries
-- KEYS[6]  <prefix>:{<shard>}:dead      hash, reminder id -> dead-letter record
-- KEYS[7]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- ARGV[1]  now (epoch millis)
-- ARGV     then quadruples: reminder id, revision, claim id, JSON fields describing the failure
--          (e.g. "reason":"delivery_failed","error":"...","attempts":6,"channel":"http", escaped by the caller)
--
-- The record is {"deadAt":now,<failure fields>,"payload":<payload>}, payload last. A reminder
-- re-scheduled meanwhile (newer revision) is not dead-lettered; its claim is just dropped.
-- Returns the number of dead letters written.
local now, written = ARGV[1], 0
for i = 2, #ARGV, 4 do
  local id, rev, claim, failure = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  if redis.call('HGET', KEYS[4], id) == rev .. '|' .. claim then
    redis.call('ZREM', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
  end
  local payload = redis.call('HGET', KEYS[2], id)
  if payload and string.match(payload, '^{"rev":(%d+)') == rev then
    redis.call('HSET', KEYS[6], id, '{"deadAt":' .. now .. ',' .. failure .. ',"payload":' .. payload .. '}')
    redis.call('ZADD', KEYS[7], now, id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[5], id)
    written = written + 1
  end
end
return written
