-- redrive.lua: send dead letters again: back to the due set, due now (Redis server time).
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content>
-- KEYS[3]  <prefix>:{<shard>}:rev       revision counter of the shard
-- KEYS[4]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries
-- KEYS[5]  <prefix>:{<shard>}:dead      hash, reminder id -> failure JSON, newline, payload
-- KEYS[6]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- KEYS[7]  <prefix>:{<shard>}:epoch     string, the fence (see schedule.lua)
-- KEYS[8]  <prefix>:{<shard>}:due:high  KEYS[9] <prefix>:{<shard>}:due:low: the other lanes (KEYS[1] is normal)
-- KEYS[10] <prefix>:{<shard>}:lanes     hash, reminder id -> 'high' | 'low', kept for dead letters (see schedule.lua)
-- ARGV[1]  the writer's layout epoch      ARGV[2..]  the reminder ids
--
-- A redriven reminder goes to the lane it had. The payload gets a new revision, so no late acknowledgement of the failed copy can remove it (above
-- epoch * 2^40, see schedule.lua).
-- A dead letter whose reminder was scheduled again meanwhile is dropped, not redriven: the newer
-- subscription wins. Returns, per id: 1 redriven (4: into the high lane), 2 superseded by a newer schedule,
-- 0 unknown, 3 unreadable (kept untouched); or {'stale', epoch} for a writer behind the fence (nothing changes).
local fence = tonumber(redis.call('GET', KEYS[7]) or '0')
if fence > tonumber(ARGV[1]) then
  return {'stale', fence}
elseif fence < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[7], ARGV[1])
end
local floor = tonumber(ARGV[1]) * 1099511627776
if tonumber(redis.call('GET', KEYS[3]) or '0') < floor then
  redis.call('SET', KEYS[3], string.format('%.0f', floor))
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  local record = redis.call('HGET', KEYS[5], id)
  if not record then
    out[#out + 1] = 0
  else
    local newline = string.find(record, '\n', 1, true)
    local envelope = newline and string.find(record, '|', newline + 1, true) -- the end of the old revision
    if not envelope or not string.find(record, '|', envelope + 1, true) then
      out[#out + 1] = 3 -- unreadable: kept as it is for an operator, never destroyed
    else
      redis.call('HDEL', KEYS[5], id)
      redis.call('ZREM', KEYS[6], id)
      if redis.call('HEXISTS', KEYS[2], id) == 1 then
        out[#out + 1] = 2
      else
        local rev = redis.call('INCR', KEYS[3])
        -- due now: the envelope's due field (after the revision) becomes now, like the score
        local afterDue = string.find(record, '|', envelope + 1, true)
        redis.call('HSET', KEYS[2], id, string.format('%d|%d', rev, now) .. string.sub(record, afterDue))
        local lane = redis.call('HGET', KEYS[10], id) or ''
        redis.call('ZADD', ({high = KEYS[8], low = KEYS[9]})[lane] or KEYS[1], now, id)
        redis.call('HDEL', KEYS[4], id)
        out[#out + 1] = lane == 'high' and 4 or 1
      end
    end
  end
end
return out
