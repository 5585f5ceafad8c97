-- read.lua: read one reminder and where it stands, in one consistent step.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content>
-- KEYS[3]  <prefix>:{<shard>}:inflight  sorted set of claimed reminder ids
-- KEYS[4]  <prefix>:{<shard>}:dead      hash, reminder id -> failure JSON, newline, payload
-- KEYS[5]  <prefix>:{<shard>}:moving    hash, reminder id -> 'd|<score>|<payload>' or 'x|<dead at>|<record>' (move-out.lua)
-- ARGV[1]  reminder id
--
-- A reminder the mover is taking to another shard reads as it was (scheduled or dead).
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
local moving = redis.call('HGET', KEYS[5], id)
if moving then
  local kind, rest = string.match(moving, '^(%a)|%d+|(.*)$')
  if kind == 'd' then
    return {rest, 'scheduled', false}
  elseif kind == 'x' then
    return {false, 'dead', rest}
  end
end
return {false, false, false}
