-- claim.lua: claim due reminders of ONE shard for delivery, atomically, under the shard's drain lease.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set, reminder id -> due epoch millis: the normal lane
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content>
-- KEYS[3]  <prefix>:{<shard>}:inflight  sorted set, reminder id -> lease expiry epoch millis
-- KEYS[4]  <prefix>:{<shard>}:claims    hash, reminder id -> "<revision>|<claim id>" of the live claim
-- KEYS[5]  <prefix>:{<shard>}:drainer   string, the instance draining this shard now (expires)
-- KEYS[6]  <prefix>:{<shard>}:due:high  sorted set, the high lane   KEYS[7] <prefix>:{<shard>}:due:low, the low lane
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
-- ARGV[10..12] the lanes' weights: high, normal, low   ARGV[13] max wait (millis): the age rule
-- ARGV[14] '1': a one-off claim (the high lane served out of turn): the drain lease is left as it was found,
--          so a claim that comes back full does not keep other instances off the shard; '0': a drain's claim
--
-- "Now" is Redis server time, the same clock for every instance (on Redis Cluster: this shard's master):
-- an instance whose own clock runs ahead can neither claim early nor shorten a lease. If another owner holds the drain lease, nothing happens and
-- {'busy', now} comes back. Otherwise the lease is taken or extended, up to ARGV[1] entries with
-- score <= now move from due to inflight (score = now + lease) and are returned with their payloads.
-- Which due entries: first the age rule, oldest first across the lanes, for entries overdue by more than
-- ARGV[13]; then the room left is shared by the lanes' weights (water-filling: a lane with less due than its
-- share leaves the rest to the others), each lane oldest first. So a flood of high reminders cannot starve the
-- other lanes, and nothing waits much longer than ARGV[13] behind them. While the high lane has entries due,
-- the age rule leaves it its weighted share of the room: an aged backlog cannot shut high reminders out either.
-- Room too small to share by weight (fewer slots than lanes) goes to a lane picked by weight from the clock, so
-- small claims still serve every lane in proportion. Due time still decides what is due.
-- When fewer than ARGV[1] came back, the shard is drained: the drain lease is released, and the users
-- that have reminders due within the merge window after now are returned, so the dispatcher can hold a
-- claimed reminder for a sibling that is about to fall due.
--
-- Returns {'ok', now, {id, due score, payload, ...}, {user id, earliest due within window, ...}, truncated (0/1),
--          lease expiry given, next due}: next due is the lowest score left in the due set when the shard was
--          drained (-1: none left), or now when it was not (more is due): the dispatcher wakes for it then;
--          next high: the lowest score left in the high lane (-1: none), which the dispatcher serves first.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local owner = redis.call('GET', KEYS[5])
if owner and owner ~= ARGV[4] then
  return {'busy', now}
end
local oneOff = ARGV[14] == '1' and not owner -- leave no drain lease behind that this call alone took
if not oneOff then
  redis.call('SET', KEYS[5], ARGV[4], 'PX', ARGV[5])
end

local limit = tonumber(ARGV[1])
local expiry = tonumber(ARGV[8])
if expiry - now < tonumber(ARGV[9]) then
  expiry = now + tonumber(ARGV[2])
end
local lanes = {KEYS[6], KEYS[1], KEYS[7]} -- high, normal, low
local weights = {tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])}
local aged = now - tonumber(ARGV[13])
local take, dueCount, agedCount, agedLanes = {0, 0, 0}, {}, {}, 0
local left = limit
local function dueWeights() -- of the lanes with entries due that are not taken yet
  local total = 0
  for l = 1, 3 do
    if dueCount[l] > take[l] then
      total = total + weights[l]
    end
  end
  return total
end
for l = 1, 3 do
  dueCount[l] = redis.call('ZCOUNT', lanes[l], '-inf', now)
  agedCount[l] = dueCount[l] > 0 and redis.call('ZCOUNT', lanes[l], '-inf', aged) or 0
  if agedCount[l] > 0 then
    agedLanes = agedLanes + 1
  end
end
-- the high lane's weighted share of the room, kept from the age rule while high entries are due
local reserved = 0
if dueCount[1] > 0 and agedLanes > 0 then
  reserved = math.min(dueCount[1], math.floor(limit * weights[1] / dueWeights()))
  left = left - reserved
end
-- the age rule: oldest first across the lanes (merged by score only when more than one lane has aged entries)
if agedLanes == 1 then
  for l = 1, 3 do
    take[l] = math.min(agedCount[l], left)
    left = left - take[l]
  end
elseif agedLanes > 1 then
  local heads, at = {}, {}
  for l = 1, 3 do
    heads[l] = agedCount[l] > 0 and redis.call('ZRANGEBYSCORE', lanes[l], '-inf', aged, 'WITHSCORES', 'LIMIT', 0, limit) or {}
    at[l] = 2
  end
  while left > 0 do
    local best = nil
    for l = 1, 3 do
      if at[l] <= #heads[l] and (not best or tonumber(heads[l][at[l]]) < tonumber(heads[best][at[best]])) then
        best = l
      end
    end
    if not best then
      break
    end
    take[best], at[best], left = take[best] + 1, at[best] + 2, left - 1
  end
end
if reserved > 0 then
  local kept = math.min(reserved, dueCount[1] - take[1])
  take[1], left = take[1] + kept, left + reserved - kept
end
-- the weighted shares of what is left
while left > 0 do
  local total, given = dueWeights(), 0
  if total == 0 then
    break
  end
  local share = {}
  for l = 1, 3 do
    share[l] = dueCount[l] > take[l] and math.min(dueCount[l] - take[l], math.floor(left * weights[l] / total)) or 0
    given = given + share[l]
  end
  if given == 0 then -- less room than lanes: one slot to a lane with entries due, picked by weight from the clock
    local pick = now % total
    for l = 1, 3 do
      if dueCount[l] > take[l] then
        if pick < weights[l] then
          share[l], given = 1, 1
          break
        end
        pick = pick - weights[l]
      end
    end
  end
  for l = 1, 3 do
    take[l] = take[l] + share[l]
  end
  left = left - given
end
local due, taken = {}, {0, 0, 0}
for l = 1, 3 do
  if take[l] > 0 then
    local part = redis.call('ZRANGEBYSCORE', lanes[l], '-inf', now, 'WITHSCORES', 'LIMIT', 0, take[l])
    if #part / 2 == take[l] and dueCount[l] > take[l] then
      -- never cut a user's reminders of one lane apart: side by side (one due time, or requeued together by
      -- reap.lua) they are claimed, merged and, after a crash, merged again together
      local user = string.match(part[#part - 1], '^([^:]+):')
      local more = redis.call('ZRANGEBYSCORE', lanes[l], '-inf', now, 'WITHSCORES', 'LIMIT', take[l], 100)
      for i = 1, #more, 2 do
        if string.match(more[i], '^([^:]+):') ~= user then
          break
        end
        part[#part + 1] = more[i]
        part[#part + 1] = more[i + 1]
      end
    end
    taken[l] = #part / 2
    for i = 1, #part do
      due[#due + 1] = part[i]
    end
  end
end
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
for l = 1, 3 do
  if taken[l] > 0 then
    -- the entries with score <= now are the lowest ranks, exactly the ones just read
    redis.call('ZREMRANGEBYRANK', lanes[l], 0, taken[l] - 1)
  end
end
if #leases > 0 then
  for i = 1, #leases, 1000 do -- in slices: Lua's unpack has a limit
    redis.call('ZADD', KEYS[3], unpack(leases, i, math.min(i + 999, #leases)))
    redis.call('HSET', KEYS[4], unpack(claims, i, math.min(i + 999, #claims)))
  end
end

local function head(key)
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return first[2] and tonumber(first[2]) or -1
end
local ahead, truncated, nextDue = {}, 0, now
if #due / 2 < limit then
  redis.call('DEL', KEYS[5])
  nextDue = -1
  local window, scan = tonumber(ARGV[6]), tonumber(ARGV[7])
  local earliest = {} -- user -> earliest due within the window, over the lanes
  for l = 1, 3 do
    local first = head(lanes[l])
    if first >= 0 and (nextDue < 0 or first < nextDue) then
      nextDue = first
    end
    if window > 0 then
      local soon = redis.call('ZRANGEBYSCORE', lanes[l], '(' .. now, now + window, 'WITHSCORES', 'LIMIT', 0, scan)
      if #soon / 2 >= scan then
        truncated = 1
      end
      for i = 1, #soon, 2 do
        local user = string.match(soon[i], '^([^:]+):')
        if not earliest[user] then
          ahead[#ahead + 1] = user
          earliest[user] = soon[i + 1]
        elseif tonumber(soon[i + 1]) < tonumber(earliest[user]) then
          earliest[user] = soon[i + 1]
        end
      end
    end
  end
  local flat = {}
  for _, user in ipairs(ahead) do
    flat[#flat + 1] = user
    flat[#flat + 1] = earliest[user]
  end
  ahead = flat
end
return {'ok', now, claimed, ahead, truncated, expiry, nextDue, head(KEYS[6])}
