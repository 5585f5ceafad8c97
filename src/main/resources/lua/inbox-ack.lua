-- inbox-ack.lua: a client read its user's messages up to an entry id; they leave the inbox.
--
-- KEYS[1]  <prefix>:{<shard>}:inbox:<userId>   stream (inbox-append.lua)
-- ARGV[1]  the first entry id to keep: the acknowledged id plus one sequence number
--
-- Returns the number of entries removed. An id beyond the newest entry removes everything there is.
return redis.call('XTRIM', KEYS[1], 'MINID', ARGV[1])
