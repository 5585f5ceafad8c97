-- ack.lua: the message center accepted these reminders; forget them, except newer revisions.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content>
-- KEYS[3]  <prefix>:{<shard>}:inflight  sorted set, reminder id -> lease expiry
-- KEYS[4]  <prefix>:{<shard>}:claims    hash, reminder id -> "<revision>|<claim id>"
-- KEYS[5]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries
-- KEYS[6]  <prefix>:{<shard>}:due:high  KEYS[7] <prefix>:{<shard>}:due:low: the other lanes (KEYS[1] is normal)
-- KEYS[8]  <prefix>:{<shard>}:lanes     hash, reminder id -> 'high' | 'low' (see schedule.lua)
-- ARGV     triples: reminder id, delivered revision, claim id
--
-- The claim is removed only if it is still this claim (a later claim of another instance stays).
-- The payload is removed only if it still has the delivered revision: a reminder re-scheduled while
-- in flight keeps its newer payload and due entry. A due entry of the same revision (put back by the
-- reaper after a lease expiry that raced this delivery) goes too, from whichever lane, and so does the lane mark.
--
-- Reads with one HMGET per 1,000 ids and writes with one variadic command per key (not one command per
-- reminder): Redis spends its time on the data, not on dispatching calls.
-- Returns the number of reminders whose payload was removed.
local ids = {}
for i = 1, #ARGV, 3 do
  ids[#ids + 1] = ARGV[i]
end
local function read(key) -- HMGET in slices: Lua's unpack has a limit
  local values = {}
  for i = 1, #ids, 1000 do
    local part = redis.call('HMGET', key, unpack(ids, i, math.min(i + 999, #ids)))
    for j = 1, #part do
      values[#values + 1] = part[j]
    end
  end
  return values
end
local function each(command, key, members)
  for i = 1, #members, 1000 do
    redis.call(command, key, unpack(members, i, math.min(i + 999, #members)))
  end
end
local claims, payloads = read(KEYS[4]), read(KEYS[2])
local released, removed = {}, {}
for k = 1, #ids do
  local rev, claim = ARGV[3 * k - 1], ARGV[3 * k]
  if claims[k] == rev .. '|' .. claim then
    released[#released + 1] = ids[k]
  end
  if payloads[k] and string.match(payloads[k], '^(%d+)|') == rev then
    removed[#removed + 1] = ids[k]
  end
end
each('ZREM', KEYS[3], released)
each('HDEL', KEYS[4], released)
each('HDEL', KEYS[2], removed)
each('ZREM', KEYS[1], removed)
each('ZREM', KEYS[6], removed)
each('ZREM', KEYS[7], removed)
each('HDEL', KEYS[8], removed)
each('HDEL', KEYS[5], removed)
return #removed
