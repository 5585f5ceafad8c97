-- move-in.lua: write reminders and dead letters taken out of another shard (move-out.lua) into their new shard.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set, reminder id -> due epoch millis
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content>
-- KEYS[3]  <prefix>:{<shard>}:rev       revision counter of the shard
-- KEYS[4]  <prefix>:{<shard>}:dead      hash, reminder id -> failure JSON, newline, payload
-- KEYS[5]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- KEYS[6]  <prefix>:{<shard>}:moved-in  hash, reminder id -> migration epoch in which this shard became its home
-- KEYS[7]  <prefix>:{<shard>}:commands  hash, command source -> "<offset>|<applied at>" (see schedule.lua)
-- KEYS[8]  <prefix>:{<shard>}:epoch     string, the fence (see schedule.lua)
-- KEYS[9]  <prefix>:{<shard>}:mover-run string, the newest mover run that fenced this shard (fence.lua)
-- KEYS[10] <prefix>:{<shard>}:due:high  KEYS[11] <prefix>:{<shard>}:due:low: the other lanes (KEYS[1] is normal)
-- KEYS[12] <prefix>:{<shard>}:lanes     hash, reminder id -> 'high' | 'low' (see schedule.lua)
-- ARGV[1]  migration epoch   ARGV[2]  the mover run's token ('' = not the mover: a redrive moving a letter)
-- ARGV[3]  pub/sub channel for due-time nudges ('' = none): '<shard>|<due>' when a reminder moved in falls due before
--          everything the shard had, '<shard>|<due>|high' when one of the high lane falls due before its lane's head
-- ARGV[4]  this shard's number
-- ARGV[5]  n: the old shard's command marks follow as n pairs (source, mark)
-- ARGV     then pairs: reminder id, entry ('d|<due score>|<payload>' or 'x|<dead at>|<record>'; 'dh', 'dl', 'xh',
--          'xl' for the high and low lanes: the reminder lands in its lane and keeps its lane mark)
--
-- A caller of an older epoch, or an older mover run, is refused: -2, nothing changes.
-- An id marked with this migration's epoch was written here during the migration (a schedule or cancel of its
-- producer) or moved in already: this shard's state is newer, the entry is dropped. A mark '<epoch>|x' (a
-- dead letter deleted here) drops a dead letter only. So is an entry whose id this shard holds unmarked (never the case while each reminder lives in one
-- shard; this shard's copy is kept). A moved reminder keeps its revision, so a copy delivered before the move
-- and again after it carries one messageId (the center drops the repeat); no claim of the old shard can touch
-- it here, claims act on their own shard's keys. This shard's revision counter is raised to it if lower, so
-- every later write here hands out a higher one. The old shard's Kafka command marks are merged in
-- (the higher offset wins): its partitions' records up to them were applied, whichever shard they touched.
--
-- Returns how many entries were written.
local fence = tonumber(redis.call('GET', KEYS[8]) or '0')
if fence > tonumber(ARGV[1]) or (ARGV[2] ~= '' and tonumber(redis.call('GET', KEYS[9]) or '0') > tonumber(ARGV[2])) then
  return -2
end
local epoch = ARGV[1]
local marks = tonumber(ARGV[5])
for i = 6, 5 + 2 * marks, 2 do
  local current = redis.call('HGET', KEYS[7], ARGV[i])
  if not current or tonumber(string.match(ARGV[i + 1], '^(%d+)|')) > tonumber(string.match(current, '^(%d+)|')) then
    redis.call('HSET', KEYS[7], ARGV[i], ARGV[i + 1])
  end
end
local function head(key)
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return first[2] and tonumber(first[2]) or math.huge
end
local earliestHigh = head(KEYS[10])
local earliest = math.min(earliestHigh, head(KEYS[1]), head(KEYS[11]))
local nudge, nudgeHigh = nil, nil
local written = 0
for i = 6 + 2 * marks, #ARGV, 2 do
  local id, entry = ARGV[i], ARGV[i + 1]
  local kind, suffix, at, rest = string.match(entry, '^(%a)(%a?)|([%d.e+-]+)|(.*)$')
  local lane = ({h = 'high', l = 'low'})[suffix]
  local mark = redis.call('HGET', KEYS[6], id)
  if mark ~= epoch and not (kind == 'x' and mark == epoch .. '|x') then
    if kind == 'd' and redis.call('HEXISTS', KEYS[2], id) == 0 then
      local rev = tonumber(string.match(rest, '^(%d+)|'))
      if tonumber(redis.call('GET', KEYS[3]) or '0') < rev then
        redis.call('SET', KEYS[3], string.format('%d', rev))
      end
      redis.call('HSET', KEYS[2], id, rest)
      redis.call('ZADD', ({high = KEYS[10], low = KEYS[11]})[lane or ''] or KEYS[1], at, id)
      if lane then
        redis.call('HSET', KEYS[12], id, lane)
      end
      written = written + 1
      if lane == 'high' and tonumber(at) < earliestHigh then
        earliestHigh = tonumber(at)
        nudgeHigh = at
      end
      if tonumber(at) < earliest then
        earliest = tonumber(at)
        nudge = at
      end
    elseif kind == 'x' and redis.call('HEXISTS', KEYS[4], id) == 0 then
      redis.call('HSET', KEYS[4], id, rest)
      redis.call('ZADD', KEYS[5], at, id)
      if lane then
        redis.call('HSET', KEYS[12], id, lane)
      end
      written = written + 1
    end
    redis.call('HSET', KEYS[6], id, epoch)
  end
end
if nudge and ARGV[3] ~= '' then
  redis.pcall('PUBLISH', ARGV[3], ARGV[4] .. '|' .. string.format('%d', tonumber(nudge)))
end
if nudgeHigh and ARGV[3] ~= '' then
  redis.pcall('PUBLISH', ARGV[3], ARGV[4] .. '|' .. string.format('%d', tonumber(nudgeHigh)) .. '|high')
end
return written
