-- mover-lock.lua: take, keep or give back the lease that lets one instance run the shard mover.
--
-- KEYS[1]  <prefix>:mover   string with expiry, the instance holding the lease
-- ARGV[1]  instance id   ARGV[2]  time to live (millis); 0 gives the lease back
--
-- Returns 1 if this instance holds the lease afterwards (or gave it back), 0 if another one holds it.
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return 0
end
if tonumber(ARGV[2]) == 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
