-- schedule.lua: schedule or replace reminders of ONE shard, atomically.
--
-- KEYS[1]  <prefix>:{<shard>}:due       sorted set, member = reminder id, score = due epoch millis (the normal lane)
-- KEYS[2]  <prefix>:{<shard>}:payload   hash, reminder id -> <rev>|<due>|<channel>|<scheduled at>|<content JSON>
-- KEYS[3]  <prefix>:{<shard>}:rev       counter, last revision handed out in this shard
-- KEYS[4]  <prefix>:{<shard>}:attempts  hash, reminder id -> lease expiries of the current revision
-- KEYS[5]  <prefix>:{<shard>}:dead      hash, reminder id -> dead-letter record
-- KEYS[6]  <prefix>:{<shard>}:dead-at   sorted set, reminder id -> time it was dead-lettered
-- KEYS[7]  <prefix>:{<shard>}:commands  hash, command source ("<topic>-<partition>") -> "<offset>|<applied at>"
-- KEYS[8]  <prefix>:{<shard>}:epoch     string, the newest layout epoch a write here carried (the fence)
-- KEYS[9]  <prefix>:{<shard>}:moved-in  hash, reminder id -> migration epoch in which this shard became its home
-- KEYS[10] <prefix>:{<shard>}:due:high  sorted set, the high lane (like KEYS[1])
-- KEYS[11] <prefix>:{<shard>}:due:low   sorted set, the low lane
-- KEYS[12] <prefix>:{<shard>}:lanes     hash, reminder id -> 'high' | 'low' (absent: normal)
-- ARGV[1]  command source, '' when the write is not a Kafka command
-- ARGV[2]  the command's offset           ARGV[3]  the command's record timestamp (epoch millis)
-- ARGV[4]  pub/sub channel for due-time nudges ('' = none)    ARGV[5]  this shard's number
-- ARGV[6]  the writer's layout epoch      ARGV[7]  migration epoch to mark the ids moved in with ('' = none)
-- ARGV     then, from ARGV[8], quintuples: reminder id, due epoch millis, channel ('' = the default),
--          lane ('high', 'low' or '' = normal), content JSON (id, due and channel validated by the caller: no '|')
--
-- A command whose offset is not above the last one this shard applied from its partition, and whose
-- record is not newer than that application, was applied already (a replay after a consumer restart or
-- an offset reset): nothing changes and {'replay'} comes back. Records of one partition are applied in
-- order and each touches one shard, so the mark per shard and partition is exact. A record newer than
-- the mark's application time with a lower offset comes from a recreated topic and is applied.
--
-- Each reminder gets the shard's next revision, stored first in its payload's envelope, so an
-- acknowledgement carrying an older revision can tell that it must not delete this copy. The envelope
-- is written here, in front of the content, and read by position only: nothing in the content can pose
-- as an envelope field. "scheduled at" is Redis server time. A new revision starts with no lease
-- expiries and supersedes a dead letter of the same id. Payload and due entry are written in the same
-- script: no reader ever sees one without the other. A copy that a dispatcher claimed earlier stays in
-- flight; its acknowledgement will not touch this newer revision.
--
-- A reminder lives in the due set of its lane; a replace that changes the lane moves it, and the lane mark is
-- always rewritten (a replace without a priority is normal again).
--
-- When a reminder falls due before everything the shard held (or the shard was empty), '<shard>|<due>' is
-- published on ARGV[4], and '<shard>|<due>|high' when it falls due before everything of the high lane: dispatchers plan their next wake-up from each shard's earliest due time, and this
-- tells every instance that the shard's earliest due time moved forward. Nothing depends on the message
-- arriving: every poll tick reads the earliest due times again.
--
-- Revisions handed out under layout epoch e are above e * 2^40 (the shard's counter is raised to that first): a
-- user's reminders live in one shard per epoch, so a revision is never handed out twice for one id, also after
-- the id moved to another shard, whose counter knew nothing of the first one's (online resharding).
--
-- The fence: a writer whose layout epoch is older than one this shard has seen routed by a layout that is gone;
-- nothing changes and {'stale', epoch} comes back (the writer reads the layout again). A newer epoch is kept.
-- During a migration the ids are marked as moved in: the mover never brings an older copy over them.
--
-- Returns a flat array: for each quintuple, 1 if the reminder is new or 0 if it replaced one, then its revision.
local fence = tonumber(redis.call('GET', KEYS[8]) or '0')
if fence > tonumber(ARGV[6]) then
  return {'stale', fence}
elseif fence < tonumber(ARGV[6]) then
  redis.call('SET', KEYS[8], ARGV[6])
end
local floor = tonumber(ARGV[6]) * 1099511627776
if tonumber(redis.call('GET', KEYS[3]) or '0') < floor then
  redis.call('SET', KEYS[3], string.format('%.0f', floor))
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local source = ARGV[1]
if source ~= '' then
  local mark = redis.call('HGET', KEYS[7], source)
  if mark then
    local offset, applied = string.match(mark, '^(%d+)|(%d+)$')
    if tonumber(ARGV[2]) <= tonumber(offset) and tonumber(ARGV[3]) <= tonumber(applied) then
      return {'replay'}
    end
  end
  redis.call('HSET', KEYS[7], source, ARGV[2] .. '|' .. now)
end
local lanes = {high = KEYS[10], low = KEYS[11], [''] = KEYS[1]}
local function head(key)
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return first[2] and tonumber(first[2]) or math.huge
end
local earliestHigh = head(KEYS[10])
local earliest = math.min(earliestHigh, head(KEYS[1]), head(KEYS[11]))
local nudge, nudgeHigh = nil, nil
local out = {}
for i = 8, #ARGV, 5 do
  local id, due, channel, lane, content = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local rev = redis.call('INCR', KEYS[3])
  local created = redis.call('HSET', KEYS[2], id, string.format('%d', rev) .. '|' .. due .. '|' .. channel .. '|' .. now .. '|' .. content)
  for _, other in ipairs({'high', '', 'low'}) do
    if other ~= lane then
      redis.call('ZREM', lanes[other], id)
    end
  end
  redis.call('ZADD', lanes[lane], due, id)
  if lane == '' then
    redis.call('HDEL', KEYS[12], id)
  else
    redis.call('HSET', KEYS[12], id, lane)
  end
  redis.call('HDEL', KEYS[4], id)
  redis.call('HDEL', KEYS[5], id)
  redis.call('ZREM', KEYS[6], id)
  if ARGV[7] ~= '' then
    redis.call('HSET', KEYS[9], id, ARGV[7])
  end
  out[#out + 1] = created
  out[#out + 1] = rev
  if tonumber(due) < earliest then
    earliest = tonumber(due)
    nudge = due
  end
  if lane == 'high' and tonumber(due) < earliestHigh then
    earliestHigh = tonumber(due)
    nudgeHigh = due
  end
end
-- pcall: a user whose ACL lacks PUBLISH still schedules (the poll tick finds the reminder)
if nudge and ARGV[4] ~= '' then
  redis.pcall('PUBLISH', ARGV[4], ARGV[5] .. '|' .. nudge)
end
if nudgeHigh and ARGV[4] ~= '' then
  redis.pcall('PUBLISH', ARGV[4], ARGV[5] .. '|' .. nudgeHigh .. '|high')
end
return out
