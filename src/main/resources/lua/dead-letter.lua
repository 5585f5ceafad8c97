-- dead-letter.lua: delivery of these reminders failed for good; keep them as dead letters.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content>
-- KEYS[3]  <prefix>:{<shard>}:inflight  sorted set, reminder id -> lease expiry
-- KEYS[4]  <prefix>:{<shard>}:claims    hash, reminder id -> "<revision>|<claim id>"
-- KEYS[5]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries
-- KEYS[6]  <prefix>:{<shard>}:dead      hash, reminder id -> dead-letter record
-- KEYS[7]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- KEYS[8]  <prefix>:{<shard>}:due:high  KEYS[9] <prefix>:{<shard>}:due:low: the other lanes (KEYS[1] is normal)
-- ARGV     quadruples: reminder id, revision, claim id, JSON fields describing the failure, written by
--          the bundle without a raw newline (e.g. "reason":"retries_exhausted","error":"...","attempts":6)
--
-- The record is {"deadAt":<Redis time>,<failure fields>}, a newline, then the payload as stored: readers
-- split at the first newline, so nothing in the payload can pose as a failure field. Only a claim that
-- is still this claim is dead-lettered: after its lease expired, another instance may have claimed and
-- delivered the reminder (or the reaper put it back to be delivered), and a late failure of the old
-- copy must not turn it into a dead letter. A reminder re-scheduled meanwhile (newer revision) is not
-- dead-lettered either; its claim is just dropped. The lane mark stays: a redrive sends it in its lane.
-- Returns the number of dead letters written.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local written = 0
for i = 1, #ARGV, 4 do
  local id, rev, claim, failure = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  if redis.call('HGET', KEYS[4], id) == rev .. '|' .. claim then
    redis.call('ZREM', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
    local payload = redis.call('HGET', KEYS[2], id)
    if payload and string.match(payload, '^(%d+)|') == rev then
      redis.call('HSET', KEYS[6], id, '{"deadAt":' .. now .. ',' .. failure .. '}\n' .. payload)
      redis.call('ZADD', KEYS[7], now, id)
      redis.call('HDEL', KEYS[2], id)
      redis.call('ZREM', KEYS[1], id)
      redis.call('ZREM', KEYS[8], id)
      redis.call('ZREM', KEYS[9], id)
      redis.call('HDEL', KEYS[5], id)
      written = written + 1
    end
  end
end
return written
