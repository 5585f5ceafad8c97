-- cancel.lua: remove one reminder from its shard, atomically: scheduled or dead-lettered.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> payload
-- KEYS[3]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries
-- KEYS[4]  <prefix>:{<shard>}:dead      hash, reminder id -> dead-letter record
-- KEYS[5]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- KEYS[6]  <prefix>:{<shard>}:commands  hash, command source -> "<offset>|<applied at>" (see schedule.lua)
-- ARGV[1]  reminder id
-- ARGV[2]  command source, '' when not a Kafka command   ARGV[3] offset   ARGV[4] record timestamp
--
-- A replayed command (see schedule.lua) changes nothing and returns -1.
-- A dead letter of the reminder goes too, so no later redrive can deliver what the producer cancelled.
-- A copy already claimed by a dispatcher is not recalled: it is delivered if its delivery succeeds,
-- and neither retried after its lease expires nor dead-lettered (its payload is gone).
-- Returns 1 if the reminder existed (scheduled, in flight or dead), 0 if it was unknown, -1 for a replay.
local id = ARGV[1]
if ARGV[2] ~= '' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local mark = redis.call('HGET', KEYS[6], ARGV[2])
  if mark then
    local offset, applied = string.match(mark, '^(%d+)|(%d+)$')
    if tonumber(ARGV[3]) <= tonumber(offset) and tonumber(ARGV[4]) <= tonumber(applied) then
      return -1
    end
  end
  redis.call('HSET', KEYS[6], ARGV[2], ARGV[3] .. '|' .. now)
end
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[3], id)
redis.call('ZREM', KEYS[5], id)
local payload = redis.call('HDEL', KEYS[2], id)
local dead = redis.call('HDEL', KEYS[4], id)
if payload + dead > 0 then
  return 1
end
return 0
