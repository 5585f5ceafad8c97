-- schedule.lua: schedule or replace reminders of ONE shard, atomically.
--
-- KEYS[1]  <prefix>:{<shard>}:due      sorted set, member = reminder id, score = due epoch millis
-- KEYS[2]  <prefix>:{<shard>}:payload  hash, reminder id -> JSON payload
-- KEYS[3]  <prefix>:{<shard>}:rev      counter, last revision handed out in this shard
-- ARGV     triples: reminder id, due epoch millis, payload JSON object WITHOUT "rev"
--          (the caller's JSON always starts with '{' followed by a field)
--
-- Each reminder gets the shard's next revision, stored first in its payload as {"rev":N,...}, so an
-- acknowledgement carrying an older revision can tell that it must not delete this copy.
-- Payload and due entry are written in the same script: no reader ever sees one without the other.
--
-- Returns a flat array: for each triple, 1 if the reminder is new or 0 if it replaced one, then its revision.
local out = {}
for i = 1, #ARGV, 3 do
  local id, due, json = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local rev = redis.call('INCR', KEYS[3])
  local created = redis.call('HSET', KEYS[2], id, '{"rev":' .. rev .. ',' .. string.sub(json, 2))
  redis.call('ZADD', KEYS[1], due, id)
  out[#out + 1] = created
  out[#out + 1] = rev
end
return out
