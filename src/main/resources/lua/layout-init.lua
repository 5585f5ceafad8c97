-- layout-init.lua: read the shard layout record, creating it when absent.
--
-- KEYS[1]  <prefix>:layout   hash: epoch, count, hash, target-count and target-hash (while migrating),
--                             push-partitions, started-at, moved, finished-at (of the latest migration)
-- ARGV[1]  epoch   ARGV[2]  shard count   ARGV[3]  hash ('jump' or 'crc32')   ARGV[4]  push partitions
-- ARGV[5]  target count ('' = not migrating)   ARGV[6]  target hash
--
-- The first instance's values win: later instances read what is there. An instance that finds the record gone, or
-- older than the layout it knows (Redis data lost, then written back by an instance that had not seen the latest
-- change), writes back the layout it knows: the newest epoch wins, since epochs only grow by layout-change.lua.
-- Returns the record as HGETALL does.
local stored = tonumber(redis.call('HGET', KEYS[1], 'epoch'))
if stored == nil or stored < tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'count', ARGV[2], 'hash', ARGV[3], 'push-partitions', ARGV[4])
  if ARGV[5] ~= '' then
    redis.call('HSET', KEYS[1], 'target-count', ARGV[5], 'target-hash', ARGV[6])
  end
end
return redis.call('HGETALL', KEYS[1])
