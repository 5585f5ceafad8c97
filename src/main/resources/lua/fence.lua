-- fence.lua: fence a shard for a migration (online resharding), before the mover touches it.
--
-- KEYS[1]  <prefix>:{<shard>}:epoch      string, the newest layout epoch this shard has seen
-- KEYS[2]  <prefix>:{<shard>}:mover-run  string, the newest mover run that fenced this shard
-- ARGV[1]  the migration's epoch   ARGV[2]  this mover run's token (INCR <prefix>:mover-runs)
--
-- Writers of older epochs are refused here from now on (schedule.lua); so are the scripts of an older mover run
-- (move-out.lua, move-in.lua): one that lost its lease while paused can no longer move anything. Neither value
-- is ever lowered. Returns the shard's epoch afterwards.
local fence = tonumber(redis.call('GET', KEYS[1]) or '0')
if fence < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
  fence = tonumber(ARGV[1])
end
if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[2])
end
return fence
