-- read.lua: read one reminder's payload and due score in one consistent step.
--
-- KEYS[1]  <prefix>:{<shard>}:due      sorted set of scheduled reminder ids
-- KEYS[2]  <prefix>:{<shard>}:payload  hash, reminder id -> JSON payload
-- ARGV[1]  reminder id
--
-- Returns {payload or false, due score or false}; a payload without a due score means the reminder
-- has been claimed by a dispatcher and is being delivered.
local payload = redis.call('HGET', KEYS[2], ARGV[1])
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
return {payload, due}
