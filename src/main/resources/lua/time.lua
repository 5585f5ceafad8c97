-- time.lua: Redis server time, the clock of every due time and lease.
--
-- No KEYS, no ARGV (on Redis Cluster any master answers). Returns epoch millis.
local t = redis.call('TIME')
return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
