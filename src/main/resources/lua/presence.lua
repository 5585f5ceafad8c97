-- presence.lua: this instance holds connections of these users (or no longer does).
--
-- KEYS     <prefix>:{<shard>}:presence:<userId> of each user, one sorted set each (instance id -> expiry)
-- ARGV[1]  the instance id
-- ARGV[2]  how long the presence lasts unless renewed, in milliseconds; 0 = the instance left (ZREM)
--
-- The keys of one call may lie in different slots only outside Redis Cluster: the bundle calls it per
-- shard there. Each key expires with its longest presence, so a crashed instance leaves nothing behind.
-- Returns the number of keys written.
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local ttl = tonumber(ARGV[2])
for i = 1, #KEYS do
  if ttl > 0 then
    redis.call('ZADD', KEYS[i], now_ms + ttl, ARGV[1])
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now_ms)
    -- the key lives as long as its longest presence (instances may be configured with different ttls)
    local longest = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')
    redis.call('PEXPIREAT', KEYS[i], longest[2])
  else
    redis.call('ZREM', KEYS[i], ARGV[1])
  end
end
return #KEYS
