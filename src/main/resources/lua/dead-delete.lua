-- dead-delete.lua: discard one dead letter.
--
-- KEYS[1]  <prefix>:{<shard>}:dead      hash, reminder id -> dead-letter record
-- KEYS[2]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- KEYS[3]  <prefix>:{<shard>}:epoch     string, the fence (see schedule.lua)
-- KEYS[4]  <prefix>:{<shard>}:moved-in  hash, reminder id -> migration epoch in which this shard became its home
-- KEYS[5]  <prefix>:{<shard>}:moving    hash, reminder id -> entry the mover took out of this shard (move-out.lua)
-- KEYS[6]  <prefix>:{<shard>}:lanes     hash, reminder id -> 'high' | 'low' (see schedule.lua)
-- KEYS[7]  <prefix>:{<shard>}:payload   hash, reminder id -> payload (a scheduled reminder of the id keeps its lane mark)
-- ARGV[1]  reminder id   ARGV[2]  the writer's layout epoch   ARGV[3]  migration epoch to mark the id with ('' = none)
--
-- During a migration it runs in the user's new shard (marked '<epoch>|x', so the mover brings no copy of the
-- dead letter there, but still a scheduled reminder of that id; a mark '<epoch>' of a schedule or cancel is
-- kept) and then in its old shard, where a dead letter the mover holds goes too.
-- Returns 1 if it existed, 0 if not, -2 for a writer behind the fence.
local fence = tonumber(redis.call('GET', KEYS[3]) or '0')
if fence > tonumber(ARGV[2]) then
  return -2
elseif fence < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[3], ARGV[2])
end
if ARGV[3] ~= '' and redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[3] then
  redis.call('HSET', KEYS[4], ARGV[1], ARGV[3] .. '|x')
end
redis.call('ZREM', KEYS[2], ARGV[1])
local moving = redis.call('HGET', KEYS[5], ARGV[1])
if redis.call('HEXISTS', KEYS[7], ARGV[1]) == 0 then
  redis.call('HDEL', KEYS[6], ARGV[1])
end
if moving and string.match(moving, '^x%a?|') then
  redis.call('HDEL', KEYS[5], ARGV[1])
  return 1
end
return redis.call('HDEL', KEYS[1], ARGV[1])
