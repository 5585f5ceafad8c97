package dev.reminderpush.store;

import java.util.List;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The store's Lua scripts, loaded from {@code src/main/resources/lua}; each script's header documents it. Read with
 * this class's own class loader: whichever thread first touches a script (a web server thread of a context that
 * stops later) must not decide where every later read looks.
 */
final class LuaScripts {

    static final RedisScript<List> SCHEDULE = list("schedule.lua");
    static final RedisScript<List> CANCEL = list("cancel.lua");
    static final RedisScript<List> READ = list("read.lua");
    static final RedisScript<List> CLAIM = list("claim.lua");
    static final RedisScript<Long> ACK = number("ack.lua");
    static final RedisScript<List> RENEW = list("renew.lua");
    static final RedisScript<Long> RELEASE = number("release.lua");
    static final RedisScript<List> REAP = list("reap.lua");
    static final RedisScript<Long> DEAD_LETTER = number("dead-letter.lua");
    static final RedisScript<List> REDRIVE = list("redrive.lua");
    static final RedisScript<Long> DEAD_DELETE = number("dead-delete.lua");
    static final RedisScript<Long> REPLACE_IF_UNCHANGED = number("replace-if-unchanged.lua");
    static final RedisScript<Long> TIME = number("time.lua");
    static final RedisScript<List> INBOX_APPEND = list("inbox-append.lua");
    static final RedisScript<Long> INBOX_ACK = number("inbox-ack.lua");
    static final RedisScript<Long> PRESENCE = number("presence.lua");
    static final RedisScript<List> LAYOUT_INIT = list("layout-init.lua");
    static final RedisScript<List> LAYOUT_CHANGE = list("layout-change.lua");
    static final RedisScript<List> MOVE_OUT = list("move-out.lua");
    static final RedisScript<Long> MOVE_IN = number("move-in.lua");
    static final RedisScript<Long> FENCE = number("fence.lua");
    static final RedisScript<Long> MOVER_LOCK = number("mover-lock.lua");

    private LuaScripts() {}

    private static RedisScript<List> list(String name) {
        return RedisScript.of(new ClassPathResource("lua/" + name, LuaScripts.class.getClassLoader()), List.class);
    }

    private static RedisScript<Long> number(String name) {
        return RedisScript.of(new ClassPathResource("lua/" + name, LuaScripts.class.getClassLoader()), Long.class);
    }
}
