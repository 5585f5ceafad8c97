-- stats.lua: the backlog figures of ONE shard, for the metrics gauges (read only).
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set, reminder id -> due epoch millis
-- KEYS[2]  <prefix>:{<shard>}:inflight  sorted set, reminder id -> lease expiry
-- KEYS[3]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> when it was dead-lettered
--
-- "Now" is Redis server time, the clock the claims use.
-- Returns {due by now and not claimed, scheduled for later, in flight, dead letters, score of the oldest
-- entry due by now or -1, now}. O(log N) per key: cheap enough to run for every shard every few seconds.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local overdue = redis.call('ZCOUNT', KEYS[1], '-inf', now)
local all = redis.call('ZCARD', KEYS[1])
local oldest = -1
if overdue > 0 then
  oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
end
return {overdue, all - overdue, redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]), oldest, now}
