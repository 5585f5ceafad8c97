-- ack.lua: the message center accepted these reminders; forget them, except newer revisions.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content>
-- KEYS[3]  <prefix>:{<shard>}:inflight  sorted set, reminder id -> lease expiry
-- KEYS[4]  <prefix>:{<shard>}:claims    hash, reminder id -> "<revision>|<claim id>"
-- KEYS[5]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries
-- ARGV     triples: reminder id, delivered revision, claim id
--
-- The claim is removed only if it is still this claim (a later claim of another instance stays).
-- The payload is removed only if it still has the delivered revision: a reminder re-scheduled while
-- in flight keeps its newer payload and due entry. A due entry of the same revision (put back by the
-- reaper after a lease expiry that raced this delivery) goes too.
--
-- Returns the number of reminders whose payload was removed.
local removed = 0
for i = 1, #ARGV, 3 do
  local id, rev, claim = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call('HGET', KEYS[4], id) == rev .. '|' .. claim then
    redis.call('ZREM', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
  end
  local payload = redis.call('HGET', KEYS[2], id)
  if payload and string.match(payload, '^(%d+)|') == rev then
    redis.call('HDEL', KEYS[2], id)
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[5], id)
    removed = removed + 1
  end
end
return removed
