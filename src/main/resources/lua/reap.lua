-- reap.lua: return reminders whose lease expired to the due set; dead-letter the ones that keep expiring.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content>
-- KEYS[3]  <prefix>:{<shard>}:inflight  sorted set, reminder id -> lease expiry
-- KEYS[4]  <prefix>:{<shard>}:claims    hash, reminder id -> "<revision>|<claim id>"
-- KEYS[5]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries of the current revision
-- KEYS[6]  <prefix>:{<shard>}:dead      hash, reminder id -> dead-letter record
-- KEYS[7]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- KEYS[8]  <prefix>:{<shard>}:due:high  KEYS[9] <prefix>:{<shard>}:due:low: the other lanes (KEYS[1] is normal)
-- KEYS[10] <prefix>:{<shard>}:lanes     hash, reminder id -> 'high' | 'low' (see schedule.lua)
-- ARGV[1]  most expired leases to handle (more only to finish the last user's)   ARGV[2]  lease expiries allowed
--
-- A requeued reminder goes back to its own lane; a dead letter keeps its lane mark for a redrive.
-- A lease has expired when Redis server time passed it (the same clock that set it in claim.lua, so an
-- instance whose own clock runs ahead cannot end other instances' leases early). An expired claim whose
-- payload still has the claimed revision counts one lease expiry: below the allowance it goes back to
-- due at once (score: the earliest due time of the user's reminders requeued with it, so they stay side
-- by side; lateness and dueAt come from the due time in the payload, so they stay honest); at the
-- allowance it becomes a dead letter, so a reminder that crashes its dispatcher cannot crash-loop the
-- fleet. A claim whose reminder was cancelled, acknowledged or re-scheduled meanwhile is simply dropped.
-- Dead-letter record: failure JSON, newline, payload (see dead-letter.lua).
--
-- Returns {requeued, dead-lettered}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, limit)
if #expired == limit then
  -- never cut a user's expired reminders apart (they expire together, ordered by id): merged again, they
  -- come back under the messageId of their first delivery
  local user = string.match(expired[#expired], '^([^:]+):')
  local more = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', limit, 100)
  for _, id in ipairs(more) do
    if string.match(id, '^([^:]+):') ~= user then
      break
    end
    expired[#expired + 1] = id
  end
end
local requeued, dead = 0, 0
local lanes = {high = KEYS[8], low = KEYS[9]}
local function laneOf(id)
  return lanes[redis.call('HGET', KEYS[10], id) or ''] or KEYS[1]
end
local back, first = {}, {} -- requeued ids in order; per user, the earliest due time among them
for _, id in ipairs(expired) do
  local claim = redis.call('HGET', KEYS[4], id)
  redis.call('ZREM', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
  local payload = redis.call('HGET', KEYS[2], id)
  local rev, due
  if payload then
    rev, due = string.match(payload, '^(%d+)|(%d+)|')
  end
  if claim and rev and rev == string.match(claim, '^(%d+)|') and not redis.call('ZSCORE', laneOf(id), id) then
    local attempts = redis.call('HINCRBY', KEYS[5], id, 1)
    if attempts >= tonumber(ARGV[2]) then
      redis.call('HSET', KEYS[6], id, '{"deadAt":' .. now .. ',"reason":"lease_expired","error":"lease expired '
          .. attempts .. ' times without an acknowledgement","attempts":' .. attempts .. '}\n' .. payload)
      redis.call('ZADD', KEYS[7], now, id)
      redis.call('HDEL', KEYS[2], id)
      redis.call('HDEL', KEYS[5], id)
      dead = dead + 1
    else
      local user = string.match(id, '^([^:]+):')
      due = tonumber(due)
      if not first[user] or due < first[user] then
        first[user] = due
      end
      back[#back + 1] = id
    end
  end
end
-- a user's reminders go back side by side, at the score of the earliest: claimed in one claim (claim.lua never
-- cuts a user at its limit), merged again as before. Each keeps its own due time in its payload.
for _, id in ipairs(back) do
  redis.call('ZADD', laneOf(id), first[string.match(id, '^([^:]+):')], id)
end
requeued = #back
return {requeued, dead}
