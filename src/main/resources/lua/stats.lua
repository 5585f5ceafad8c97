-- stats.lua: the backlog figures of ONE shard, for the metrics gauges (read only).
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set, reminder id -> due epoch millis (the normal lane)
-- KEYS[2]  <prefix>:{<shard>}:inflight  sorted set, reminder id -> lease expiry
-- KEYS[3]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> when it was dead-lettered
-- KEYS[4]  <prefix>:{<shard>}:due:high  KEYS[5] <prefix>:{<shard>}:due:low: the other lanes
--
-- "Now" is Redis server time, the clock the claims use.
-- Returns {due by now and not claimed, scheduled for later, in flight, dead letters, score of the oldest
-- entry due by now or -1, now, then per lane (high, normal, low) due by now and the oldest of them or -1}. O(log N) per key: cheap enough to run for every shard every few seconds.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local overdue, all, oldest, lanes = 0, 0, -1, {}
for _, key in ipairs({KEYS[4], KEYS[1], KEYS[5]}) do
  local due = redis.call('ZCOUNT', key, '-inf', now)
  local first = -1
  if due > 0 then
    first = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
    if oldest < 0 or first < oldest then
      oldest = first
    end
  end
  overdue = overdue + due
  all = all + redis.call('ZCARD', key)
  lanes[#lanes + 1] = due
  lanes[#lanes + 1] = first
end
return {overdue, all - overdue, redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]), oldest, now, unpack(lanes)}
