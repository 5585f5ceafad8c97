-- read.lua: read one reminder and where it stands, in one consistent step.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content>
-- KEYS[3]  <prefix>:{<shard>}:inflight  sorted set of claimed reminder ids
-- KEYS[4]  <prefix>:{<shard>}:dead      hash, reminder id -> failure JSON, newline, payload
-- ARGV[1]  reminder id
--
-- Returns {payload or false, 'scheduled' | 'delivering' | 'dead' | false, dead-letter record or false}.
local id = ARGV[1]
local payload = redis.call('HGET', KEYS[2], id)
if payload then
  if redis.call('ZSCORE', KEYS[1], id) then
    return {payload, 'scheduled', false}
  end
  return {payload, 'delivering', false}
end
local dead = redis.call('HGET', KEYS[4], id)
if dead then
  return {false, 'dead', dead}
end
return {false, false, false}
