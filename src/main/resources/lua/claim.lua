-- claim.lua: claim due reminders of ONE shard for delivery, atomically, under the shard's drain lease.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set, reminder id -> due epoch millis
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content>
-- KEYS[3]  <prefix>:{<shard>}:inflight  sorted set, reminder id -> lease expiry epoch millis
-- KEYS[4]  <prefix>:{<shard>}:claims    hash, reminder id -> "<revision>|<claim id>" of the live claim
-- KEYS[5]  <prefix>:{<shard>}:drainer   string, the instance draining this shard now (expires)
-- ARGV[1]  most entries to claim (more, up to 100, only to finish the last user's)   ARGV[2]  lease (millis from now)
-- ARGV[3]  claim id, unique per call      ARGV[4]  owner (instance id)
-- ARGV[5]  drain lease time to live (millis)
-- ARGV[6]  merge window (millis, 0 = no look-ahead)
-- ARGV[7]  most entries to scan for the look-ahead
-- ARGV[8]  lease expiry to give (epoch millis, Redis time) when at least ARGV[9] millis of it are left;
--          else now + ARGV[2]. The dispatcher gives the claims of one drain one expiry, so reminders merged
--          across claim batches also expire together if the instance dies, and come back (and are merged)
--          together. ARGV[9] (lease minus one renewal interval) keeps every claim's first lease long
--          enough for the renewals to reach it.
--
-- "Now" is Redis server time, the same clock for every instance (on Redis Cluster: this shard's master):
-- an instance whose own clock runs ahead can neither claim early nor shorten a lease. If another owner holds the drain lease, nothing happens and
-- {'busy', now} comes back. Otherwise the lease is taken or extended, up to ARGV[1] entries with
-- score <= now move from due to inflight (score = now + lease) and are returned with their payloads.
-- When fewer than ARGV[1] came back, the shard is drained: the drain lease is released, and the users
-- that have reminders due within the merge window after now are returned, so the dispatcher can hold a
-- claimed reminder for a sibling that is about to fall due.
--
-- Returns {'ok', now, {id, due score, payload, ...}, {user id, earliest due within window, ...}, truncated (0/1),
--          lease expiry given, next due}: next due is the lowest score left in the due set when the shard was
--          drained (-1: none left), or now when it was not (more is due): the dispatcher wakes for it then.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local owner = redis.call('GET', KEYS[5])
if owner and owner ~= ARGV[4] then
  return {'busy', now}
end
redis.call('SET', KEYS[5], ARGV[4], 'PX', ARGV[5])

local limit = tonumber(ARGV[1])
local expiry = tonumber(ARGV[8])
if expiry - now < tonumber(ARGV[9]) then
  expiry = now + tonumber(ARGV[2])
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit)
if #due / 2 == limit then
  -- never cut a user's reminders apart at the limit: side by side (one due time, or requeued together by
  -- reap.lua) they are claimed, merged and, after a crash, merged again together
  local user = string.match(due[#due - 1], '^([^:]+):')
  local more = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', limit, 100)
  for i = 1, #more, 2 do
    if string.match(more[i], '^([^:]+):') ~= user then
      break
    end
    due[#due + 1] = more[i]
    due[#due + 1] = more[i + 1]
  end
end
local taken = #due / 2
local claimed, leases, claims = {}, {}, {}
local payloads = {} -- one HMGET per 1,000 ids, not one HGET per reminder
for i = 1, #due, 2000 do
  local ids = {}
  for j = i, math.min(i + 1999, #due), 2 do
    ids[#ids + 1] = due[j]
  end
  local part = redis.call('HMGET', KEYS[2], unpack(ids))
  for j = 1, #part do
    payloads[#payloads + 1] = part[j]
  end
end
for i = 1, #due, 2 do
  local id = due[i]
  local payload = payloads[(i + 1) / 2]
  if payload then -- always true while writers keep payload and due entry together
    leases[#leases + 1] = expiry
    leases[#leases + 1] = id
    claims[#claims + 1] = id
    claims[#claims + 1] = string.match(payload, '^(%d+)|') .. '|' .. ARGV[3]
    claimed[#claimed + 1] = id
    claimed[#claimed + 1] = due[i + 1]
    claimed[#claimed + 1] = payload
  end
end
if taken > 0 then
  -- the entries with score <= now are the lowest ranks, exactly the ones just read
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, taken - 1)
  for i = 1, #leases, 1000 do -- in slices: Lua's unpack has a limit
    redis.call('ZADD', KEYS[3], unpack(leases, i, math.min(i + 999, #leases)))
    redis.call('HSET', KEYS[4], unpack(claims, i, math.min(i + 999, #claims)))
  end
end

local ahead, truncated, nextDue = {}, 0, now
if #due / 2 < limit then
  redis.call('DEL', KEYS[5])
  local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  nextDue = head[2] and tonumber(head[2]) or -1
  local window, scan = tonumber(ARGV[6]), tonumber(ARGV[7])
  if window > 0 then
    local soon = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, now + window, 'WITHSCORES', 'LIMIT', 0, scan)
    if #soon / 2 >= scan then
      truncated = 1
    end
    local seen = {}
    for i = 1, #soon, 2 do
      local user = string.match(soon[i], '^([^:]+):')
      if not seen[user] then
        seen[user] = true
        ahead[#ahead + 1] = user
        ahead[#ahead + 1] = soon[i + 1]
      end
    end
  end
end
return {'ok', now, claimed, ahead, truncated, expiry, nextDue}
