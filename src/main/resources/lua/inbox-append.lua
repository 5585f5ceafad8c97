-- inbox-append.lua: messages of the websocket channel enter their users' inboxes and go to every instance where
-- their user is connected. All the messages of one call belong to users of one shard (one Redis Cluster slot).
--
-- KEYS, three per message:
--   <prefix>:{<shard>}:inbox:<userId>           stream, one entry per message: field m = message JSON
--   <prefix>:{<shard>}:inbox-msg:<messageId>    string with expiry: the entry id this message got
--   <prefix>:{<shard>}:presence:<userId>        sorted set, instance id -> presence expiry (epoch millis)
-- ARGV[1]  most entries an inbox keeps (approximate trim, MAXLEN ~)
-- ARGV[2]  oldest entry an inbox keeps, in milliseconds of age (MINID; the whole inbox expires after it too)
-- ARGV[3]  the pub/sub channel prefix of the instances, <prefix>:push:
-- ARGV[4]  how long the inbox-msg key remembers a message, in milliseconds (longer than any redelivery takes)
-- ARGV, two per message from ARGV[5]: the message JSON, the user id
--
-- A message appended before (a retry, or a redelivery after the instance that appended it died before its ack)
-- is not appended again: its entry is published again (connections skip an id they had).
-- Each present instance gets PUBLISH <prefix>:push:<instance> "<userId>\n<entry id>\n<previous id>\n<message JSON>",
-- the previous id being the inbox's newest entry before this one (empty if none, or for a message appended before):
-- a connection that never got that one missed a message and replays. The stream entry id (Redis time) orders the
-- user's messages and is what clients resume from.
-- Returns the entry id of each message, in order.
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local max_length = ARGV[1]
local max_age = tonumber(ARGV[2])
local channel_prefix = ARGV[3]
local remember = ARGV[4]
local ids = {}
for m = 1, #KEYS / 3 do
  local inbox, marker, presence = KEYS[3 * m - 2], KEYS[3 * m - 1], KEYS[3 * m]
  local json, user = ARGV[3 + 2 * m], ARGV[4 + 2 * m]
  local id = redis.call('GET', marker)
  local previous = ''
  if not id then
    local newest = redis.call('XREVRANGE', inbox, '+', '-', 'COUNT', 1)
    if newest[1] then
      previous = newest[1][1]
    end
    id = redis.call('XADD', inbox, 'MAXLEN', '~', max_length, '*', 'm', json)
    redis.call('XTRIM', inbox, 'MINID', '~', tostring(now_ms - max_age))
    redis.call('PEXPIRE', inbox, max_age)
    redis.call('SET', marker, id, 'PX', remember)
  end
  redis.call('ZREMRANGEBYSCORE', presence, '-inf', now_ms)
  local instances = redis.call('ZRANGE', presence, 0, -1)
  if #instances > 0 then
    local frame = user .. '\n' .. id .. '\n' .. previous .. '\n' .. json
    for i = 1, #instances do
      redis.call('PUBLISH', channel_prefix .. instances[i], frame)
    end
  end
  ids[m] = id
end
return ids
