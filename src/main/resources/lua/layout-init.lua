-- layout-init.lua: read the shard layout record, creating it when absent.
--
-- KEYS[1]  <prefix>:layout   hash: epoch, count, hash, target-count and target-hash (while migrating),
--                             push-partitions, started-at, moved, finished-at (of the latest migration)
-- ARGV[1]  epoch   ARGV[2]  shard count   ARGV[3]  hash ('jump' or 'crc32')   ARGV[4]  push partitions
-- ARGV[5]  target count ('' = not migrating)   ARGV[6]  target hash
--
-- The first instance's values win: later instances read what is there. (An instance that finds the record gone,
-- with Redis data lost, writes back the layout it knows, so the fleet's writes keep passing the shards' fences.)
-- Returns the record as HGETALL does.
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'count', ARGV[2], 'hash', ARGV[3], 'push-partitions', ARGV[4])
  if ARGV[5] ~= '' then
    redis.call('HSET', KEYS[1], 'target-count', ARGV[5], 'target-hash', ARGV[6])
  end
end
return redis.call('HGETALL', KEYS[1])
