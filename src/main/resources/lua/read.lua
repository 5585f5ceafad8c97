-- read.lua: read one reminder and where it stands, in one consistent step.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content>
-- KEYS[3]  <prefix>:{<shard>}:inflight  sorted set of claimed reminder ids
-- KEYS[4]  <prefix>:{<shard>}:dead      hash, reminder id -> failure JSON, newline, payload
-- KEYS[5]  <prefix>:{<shard>}:moving    hash, reminder id -> 'd|<score>|<payload>' or 'x|<dead at>|<record>' (move-out.lua)
-- KEYS[6]  <prefix>:{<shard>}:due:high  KEYS[7] <prefix>:{<shard>}:due:low: the other lanes (KEYS[1] is normal)
-- KEYS[8]  <prefix>:{<shard>}:lanes     hash, reminder id -> 'high' | 'low' (see schedule.lua)
-- ARGV[1]  reminder id
--
-- A reminder the mover is taking to another shard reads as it was (scheduled or dead).
-- Returns {payload or false, 'scheduled' | 'delivering' | 'dead' | false, dead-letter record or false,
--          lane: 'high' | 'normal' | 'low'}.
local id = ARGV[1]
local lane = redis.call('HGET', KEYS[8], id) or 'normal'
local payload = redis.call('HGET', KEYS[2], id)
if payload then
  if redis.call('ZSCORE', KEYS[1], id) or redis.call('ZSCORE', KEYS[6], id) or redis.call('ZSCORE', KEYS[7], id) then
    return {payload, 'scheduled', false, lane}
  end
  return {payload, 'delivering', false, lane}
end
local dead = redis.call('HGET', KEYS[4], id)
if dead then
  return {false, 'dead', dead, lane}
end
local moving = redis.call('HGET', KEYS[5], id)
if moving then
  local kind, mark, rest = string.match(moving, '^(%a)(%a?)|[%d.e+-]+|(.*)$')
  lane = ({h = 'high', l = 'low'})[mark] or 'normal'
  if kind == 'd' then
    return {rest, 'scheduled', false, lane}
  elseif kind == 'x' then
    return {false, 'dead', rest, lane}
  end
end
return {false, false, false, 'normal'}
