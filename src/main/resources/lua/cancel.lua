-- cancel.lua: remove reminders from their shard, atomically: scheduled, dead-lettered or being moved here from.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> payload
-- KEYS[3]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries
-- KEYS[4]  <prefix>:{<shard>}:dead      hash, reminder id -> dead-letter record
-- KEYS[5]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- KEYS[6]  <prefix>:{<shard>}:commands  hash, command source -> "<offset>|<applied at>" (see schedule.lua)
-- KEYS[7]  <prefix>:{<shard>}:epoch     string, the fence (see schedule.lua)
-- KEYS[8]  <prefix>:{<shard>}:moved-in  hash, reminder id -> migration epoch in which this shard became its home
-- KEYS[9]  <prefix>:{<shard>}:moving    hash, reminder id -> entry the mover took out of this shard (move-out.lua)
-- KEYS[10] <prefix>:{<shard>}:due:high  KEYS[11] <prefix>:{<shard>}:due:low: the other lanes' due sets
-- KEYS[12] <prefix>:{<shard>}:lanes     hash, reminder id -> 'high' | 'low' (see schedule.lua)
-- ARGV[1]  command source, '' when not a Kafka command   ARGV[2] offset   ARGV[3] record timestamp
-- ARGV[4]  the writer's layout epoch   ARGV[5]  migration epoch to mark the ids moved in with ('' = none)
-- ARGV[6..] reminder ids
--
-- A replayed command (see schedule.lua) changes nothing and returns -1; a writer behind the fence (see
-- schedule.lua) changes nothing and returns -2.
-- A dead letter of the reminder goes too, so no later redrive can deliver what the producer cancelled.
-- A copy already claimed by a dispatcher is not recalled: it is delivered if its delivery succeeds,
-- and neither retried after its lease expires nor dead-lettered (its payload is gone).
-- During a migration the writer cancels in the user's new shard (marked: the mover brings no older copy
-- there) and then in its old shard (not marked), where an entry the mover holds in 'moving' goes too.
-- Returns the ids that existed (scheduled, in flight, dead or being moved), or {-1} or {-2}.
local fence = tonumber(redis.call('GET', KEYS[7]) or '0')
if fence > tonumber(ARGV[4]) then
  return {-2}
elseif fence < tonumber(ARGV[4]) then
  redis.call('SET', KEYS[7], ARGV[4])
end
if ARGV[1] ~= '' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local mark = redis.call('HGET', KEYS[6], ARGV[1])
  if mark then
    local offset, applied = string.match(mark, '^(%d+)|(%d+)$')
    if tonumber(ARGV[2]) <= tonumber(offset) and tonumber(ARGV[3]) <= tonumber(applied) then
      return {-1}
    end
  end
  redis.call('HSET', KEYS[6], ARGV[1], ARGV[2] .. '|' .. now)
end
local existed = {}
for i = 6, #ARGV do
  local id = ARGV[i]
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[10], id)
  redis.call('ZREM', KEYS[11], id)
  redis.call('HDEL', KEYS[12], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[5], id)
  local found = redis.call('HDEL', KEYS[2], id) + redis.call('HDEL', KEYS[4], id) + redis.call('HDEL', KEYS[9], id)
  if found > 0 then
    existed[#existed + 1] = id
  end
  if ARGV[5] ~= '' then
    redis.call('HSET', KEYS[8], id, ARGV[5])
  end
end
return existed
