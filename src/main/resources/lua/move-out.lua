-- move-out.lua: take reminders and dead letters out of the shard they are leaving (online resharding), atomically.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set, reminder id -> due epoch millis
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content>
-- KEYS[3]  <prefix>:{<shard>}:inflight  sorted set of claimed reminder ids
-- KEYS[4]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries
-- KEYS[5]  <prefix>:{<shard>}:dead      hash, reminder id -> failure JSON, newline, payload
-- KEYS[6]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- KEYS[7]  <prefix>:{<shard>}:moving    hash, reminder id -> entry taken out and not yet written to its new shard
-- KEYS[8]  <prefix>:{<shard>}:epoch     string, the fence (see schedule.lua)
-- KEYS[9]  <prefix>:{<shard>}:mover-run string, the newest mover run that fenced this shard (fence.lua)
-- KEYS[10] <prefix>:{<shard>}:due:high  KEYS[11] <prefix>:{<shard>}:due:low: the other lanes (KEYS[1] is normal)
-- KEYS[12] <prefix>:{<shard>}:lanes     hash, reminder id -> 'high' | 'low' (see schedule.lua)
-- ARGV[1]  the migration's epoch   ARGV[2]  the mover run's token ('' = not the mover: a redrive moving a letter)
-- ARGV[3..] reminder ids whose home is another shard now
--
-- A scheduled reminder (due entry and payload) becomes 'd|<due score>|<payload>', a dead letter
-- 'x|<dead at>|<record>'; 'dh|', 'dl|', 'xh|', 'xl|' for the high and low lanes (the lane mark goes with it), kept in 'moving' until the mover wrote it to the new shard (move-in.lua) and deleted it
-- here: a mover that dies in between leaves it there for the next one, and read.lua still finds it. A reminder
-- in flight (claimed, no due entry) stays: its claim is acknowledged or expires here, and the mover comes back
-- for it. An id already in 'moving' is returned again.
--
-- A caller of an older epoch, or an older mover run, is refused: {-2}, nothing changes. The shard's fence is
-- raised to the epoch, so no writer of an older layout writes here after something left.
--
-- Returns {reminders left in flight, id, entry, id, entry, ...}.
local fence = tonumber(redis.call('GET', KEYS[8]) or '0')
if fence > tonumber(ARGV[1]) or (ARGV[2] ~= '' and tonumber(redis.call('GET', KEYS[9]) or '0') > tonumber(ARGV[2])) then
  return {-2}
elseif fence < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[8], ARGV[1])
end
local out = {0}
for i = 3, #ARGV do
  local id = ARGV[i]
  local held = redis.call('HGET', KEYS[7], id)
  local lane = redis.call('HGET', KEYS[12], id)
  local suffix = lane == 'high' and 'h' or lane == 'low' and 'l' or ''
  local key = ({h = KEYS[10], l = KEYS[11]})[suffix] or KEYS[1]
  local score = redis.call('ZSCORE', key, id)
  if not score then -- robust against a mark that disagrees: look in every lane
    for _, s in ipairs({'', 'h', 'l'}) do
      local other = ({[''] = KEYS[1], h = KEYS[10], l = KEYS[11]})[s]
      local found = not score and redis.call('ZSCORE', other, id)
      if found then
        score, suffix, key = found, s, other
      end
    end
  end
  if held then
    out[#out + 1] = id
    out[#out + 1] = held
  elseif score then
    local payload = redis.call('HGET', KEYS[2], id)
    redis.call('ZREM', key, id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[4], id)
    redis.call('HDEL', KEYS[12], id)
    if payload then -- always, while writers keep payload and due entry together (claim.lua skips one without)
      local entry = 'd' .. suffix .. '|' .. score .. '|' .. payload
      redis.call('HSET', KEYS[7], id, entry)
      out[#out + 1] = id
      out[#out + 1] = entry
    end
  elseif redis.call('ZSCORE', KEYS[3], id) then
    out[1] = out[1] + 1
  else
    local record = redis.call('HGET', KEYS[5], id)
    if record then
      local entry = 'x' .. suffix .. '|' .. (redis.call('ZSCORE', KEYS[6], id) or '0') .. '|' .. record
      redis.call('HDEL', KEYS[12], id)
      redis.call('HSET', KEYS[7], id, entry)
      redis.call('HDEL', KEYS[5], id)
      redis.call('ZREM', KEYS[6], id)
      out[#out + 1] = id
      out[#out + 1] = entry
    end
  end
end
return out
