-- inbox-append.lua: a message of the websocket channel enters its user's inbox and goes to every instance
-- where the user is connected.
--
-- KEYS[1]  <prefix>:{<shard>}:inbox:<userId>           stream, one entry per message: field m = message JSON
-- KEYS[2]  <prefix>:{<shard>}:inbox-msg:<messageId>    string with expiry: the entry id this message got
-- KEYS[3]  <prefix>:{<shard>}:presence:<userId>        sorted set, instance id -> presence expiry (epoch millis)
-- ARGV[1]  the message JSON
-- ARGV[2]  most entries an inbox keeps (approximate trim, MAXLEN ~)
-- ARGV[3]  oldest entry an inbox keeps, in milliseconds of age (MINID; the whole inbox expires after it too)
-- ARGV[4]  the pub/sub channel prefix of the instances, <prefix>:push:
-- ARGV[5]  the user id
-- ARGV[6]  how long KEYS[2] remembers the message, in milliseconds (longer than any redelivery takes)
--
-- A message appended before (a retry, or a redelivery after the instance that appended it died before its
-- ack) is not appended again: its entry id is returned and it is published again (clients drop an id they saw).
-- Each present instance gets PUBLISH <prefix>:push:<instance> "<userId>\n<entry id>\n<previous id>\n<message JSON>",
-- the previous id being the inbox's newest entry before this one (empty if none, or for a message appended before):
-- a connection that never got that one missed a message and replays. The stream entry id (Redis time) orders the
-- user's messages and is what clients resume from.
-- Returns {entry id, 1 if it was appended before else 0, instances published to}.
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local max_age = tonumber(ARGV[3])
local id = redis.call('GET', KEYS[2])
local repeated = 1
local previous = ''
if not id then
  repeated = 0
  local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
  if newest[1] then
    previous = newest[1][1]
  end
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
  redis.call('XTRIM', KEYS[1], 'MINID', '~', tostring(now_ms - max_age))
  redis.call('PEXPIRE', KEYS[1], max_age)
  redis.call('SET', KEYS[2], id, 'PX', ARGV[6])
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now_ms)
local instances = redis.call('ZRANGE', KEYS[3], 0, -1)
local frame = ARGV[5] .. '\n' .. id .. '\n' .. previous .. '\n' .. ARGV[1]
for i = 1, #instances do
  redis.call('PUBLISH', ARGV[4] .. instances[i], frame)
end
return {id, repeated, #instances}
