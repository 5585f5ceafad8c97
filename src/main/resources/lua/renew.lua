-- renew.lua: extend the leases of claims this instance still holds (its heartbeat), atomically.
--
-- KEYS[1]  <prefix>:{<shard>}:inflight  sorted set, reminder id -> lease expiry epoch millis
-- KEYS[2]  <prefix>:{<shard>}:claims    hash, reminder id -> "<revision>|<claim id>" of the live claim
-- ARGV[1]  lease (millis from now, Redis server time)
-- ARGV[2]  the expiry to give instead, when it lies ahead (0 = now + ARGV[1]): one renewal round gives all
--          its claims one expiry, so what an instance held expires (and comes back) together
-- ARGV     then pairs: reminder id, "<revision>|<claim id>" as claimed
--
-- A lease is extended only while the claim is still this claim: a claim that expired meanwhile (and was
-- requeued, or claimed by another instance) is not revived. Like BullMQ's extendLock, this lets the
-- lease be short (crash recovery in seconds) while a healthy instance keeps every claim it is still
-- working on, however long its retries take.
-- Returns {expiry given, positions (1-based pair index) of the claims that are no longer this instance's...}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expiry = tonumber(ARGV[2])
if expiry <= now then
  expiry = now + tonumber(ARGV[1])
end
local lost = {expiry}
local renewed = {}
for from = 3, #ARGV, 2000 do -- 1,000 pairs per HMGET: Lua's unpack has a limit
  local ids = {}
  for i = from, math.min(from + 1999, #ARGV), 2 do
    ids[#ids + 1] = ARGV[i]
  end
  local current = redis.call('HMGET', KEYS[2], unpack(ids))
  for k = 1, #ids do
    local i = from + 2 * (k - 1)
    if current[k] == ARGV[i + 1] then
      renewed[#renewed + 1] = expiry
      renewed[#renewed + 1] = ids[k]
    else
      lost[#lost + 1] = (i - 1) / 2
    end
  end
end
for i = 1, #renewed, 2000 do
  redis.call('ZADD', KEYS[1], 'XX', unpack(renewed, i, math.min(i + 1999, #renewed)))
end
return lost
