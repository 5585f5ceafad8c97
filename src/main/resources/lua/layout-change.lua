-- layout-change.lua: move the shard layout record one step, if nobody moved it since the caller read it.
--
-- KEYS[1]  <prefix>:layout   hash (see layout-init.lua)
-- ARGV[1]  the epoch the caller read
-- ARGV[2]  'begin' (ARGV[3] target count, ARGV[4] target hash): start a migration (none may run); epoch + 1
--          'finish': the target becomes the layout (the mover found nothing left to move); epoch + 1
--          'moved' (ARGV[3] how many): adds to the migration's moved counter, whatever the epoch
--
-- Returns {'ok', <record as HGETALL>} or {'conflict', <record as HGETALL>} when the epoch or state differ.
if ARGV[2] == 'moved' then
  redis.call('HINCRBY', KEYS[1], 'moved', ARGV[3])
  return {'ok', redis.call('HGETALL', KEYS[1])}
end
local epoch = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '-1')
local migrating = redis.call('HEXISTS', KEYS[1], 'target-count') == 1
local action = ARGV[2]
local ok = epoch == tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ok and action == 'begin' and not migrating then
  redis.call('HSET', KEYS[1], 'epoch', epoch + 1, 'target-count', ARGV[3], 'target-hash', ARGV[4],
      'started-at', now, 'moved', 0)
  redis.call('HDEL', KEYS[1], 'finished-at')
elseif ok and action == 'finish' and migrating then
  redis.call('HSET', KEYS[1], 'epoch', epoch + 1, 'count', redis.call('HGET', KEYS[1], 'target-count'),
      'hash', redis.call('HGET', KEYS[1], 'target-hash'), 'finished-at', now)
  redis.call('HDEL', KEYS[1], 'target-count', 'target-hash')
else
  return {'conflict', redis.call('HGETALL', KEYS[1])}
end
return {'ok', redis.call('HGETALL', KEYS[1])}
