-- release.lua: give claimed but unsent reminders back to the due set (graceful shutdown, abandoned drain).
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content>
-- KEYS[3]  <prefix>:{<shard>}:inflight  sorted set, reminder id -> lease expiry
-- KEYS[4]  <prefix>:{<shard>}:claims    hash, reminder id -> "<revision>|<claim id>"
-- KEYS[5]  <prefix>:{<shard>}:due:high  KEYS[6] <prefix>:{<shard>}:due:low: the other lanes (KEYS[1] is normal)
-- KEYS[7]  <prefix>:{<shard>}:lanes     hash, reminder id -> 'high' | 'low' (see schedule.lua)
-- ARGV     quadruples: reminder id, claimed revision, claim id, due epoch millis
--
-- Only a claim that is still this claim is released; the reminder goes back with its own due time
-- into its own lane, unless a newer revision was scheduled meanwhile (that one is already in the due set).
-- Returns the number of reminders put back.
local lanes = {high = KEYS[5], low = KEYS[6]}
local back = 0
for i = 1, #ARGV, 4 do
  local id, rev, claim, due = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  if redis.call('HGET', KEYS[4], id) == rev .. '|' .. claim then
    redis.call('ZREM', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
    local payload = redis.call('HGET', KEYS[2], id)
    if payload and string.match(payload, '^(%d+)|') == rev then
      redis.call('ZADD', lanes[redis.call('HGET', KEYS[7], id) or ''] or KEYS[1], 'NX', due, id)
      back = back + 1
    end
  end
end
return back
