-- reap.lua: return reminders whose lease expired to the due set; dead-letter the ones that keep expiring.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> JSON payload ({"rev":N,...,"dueAt":N,...})
-- KEYS[3]  <prefix>:{<shard>}:inflight  sorted set, reminder id -> lease expiry
-- KEYS[4]  <prefix>:{<shard>}:claims    hash, reminder id -> "<revision>|<claim id>"
-- KEYS[5]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries of the current revision
-- KEYS[6]  <prefix>:{<shard>}:dead      hash, reminder id -> dead-letter record
-- KEYS[7]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- ARGV[1]  now (epoch millis)   ARGV[2]  most expired leases to handle   ARGV[3]  lease expiries allowed
--
-- An expired claim whose payload still has the claimed revision counts one lease expiry: below the
-- allowance it goes back to due with its original due time (so it is claimed at once and its lateness
-- stays honest); at the allowance it becomes a dead letter, so a reminder that crashes its dispatcher
-- cannot crash-loop the fleet. A claim whose reminder was cancelled, acknowledged or re-scheduled
-- meanwhile is simply dropped.
--
-- Returns {requeued, dead-lettered}.
local now = tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local requeued, dead = 0, 0
for _, id in ipairs(expired) do
  local claim = redis.call('HGET', KEYS[4], id)
  redis.call('ZREM', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
  local payload = redis.call('HGET', KEYS[2], id)
  if payload and claim and string.match(payload, '^{"rev":(%d+)') == string.match(claim, '^(%d+)|')
      and not redis.call('ZSCORE', KEYS[1], id) then
    local attempts = redis.call('HINCRBY', KEYS[5], id, 1)
    if attempts >= tonumber(ARGV[3]) then
      redis.call('HSET', KEYS[6], id, '{"deadAt":' .. now .. ',"reason":"lease_expired","error":"lease expired '
          .. attempts .. ' times without an acknowledgement","attempts":' .. attempts .. ',"payload":' .. payload .. '}')
      redis.call('ZADD', KEYS[7], now, id)
      redis.call('HDEL', KEYS[2], id)
      redis.call('HDEL', KEYS[5], id)
      dead = dead + 1
    else
      redis.call('ZADD', KEYS[1], string.match(payload, '"dueAt":(%d+)'), id)
      requeued = requeued + 1
    end
  end
end
return {requeued, dead}
