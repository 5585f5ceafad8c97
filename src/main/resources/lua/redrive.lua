-- redrive.lua: send dead letters again: back to the due set, due now.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> JSON payload
-- KEYS[3]  <prefix>:{<shard>}:rev       revision counter of the shard
-- KEYS[4]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries
-- KEYS[5]  <prefix>:{<shard>}:dead      hash, reminder id -> {...,"payload":<payload>} (payload last)
-- KEYS[6]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- ARGV[1]  now (epoch millis), then the reminder ids
--
-- The payload gets a new revision, so no late acknowledgement of the failed copy can remove it.
-- A dead letter whose reminder was scheduled again meanwhile is dropped, not redriven: the newer
-- subscription wins. Returns, per id: 1 redriven, 2 superseded by a newer schedule, 0 unknown.
local out = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  local record = redis.call('HGET', KEYS[5], id)
  if not record then
    out[#out + 1] = 0
  else
    redis.call('HDEL', KEYS[5], id)
    redis.call('ZREM', KEYS[6], id)
    if redis.call('HEXISTS', KEYS[2], id) == 1 then
      out[#out + 1] = 2
    else
      local payload = string.match(record, ',"payload":({.*})}$')
      local rev = redis.call('INCR', KEYS[3])
      payload = string.gsub(payload, '^{"rev":%d+', '{"rev":' .. rev, 1)
      redis.call('HSET', KEYS[2], id, payload)
      redis.call('ZADD', KEYS[1], ARGV[1], id)
      redis.call('HDEL', KEYS[4], id)
      out[#out + 1] = 1
    end
  end
end
return out
