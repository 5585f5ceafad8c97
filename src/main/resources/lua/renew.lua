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
for i = 3, #ARGV, 2 do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[i + 1] then
    redis.call('ZADD', KEYS[1], 'XX', expiry, ARGV[i])
  else
    lost[#lost + 1] = (i - 1) / 2
  end
end
return lost
