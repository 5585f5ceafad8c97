package dev.reminderpush.store;

import java.util.List;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

/** The store's Lua scripts, loaded from {@code src/main/resources/lua}; each script's header documents it. */
final class LuaScripts {

    static final RedisScript<List> SCHEDULE = load("schedule.lua");
    static final RedisScript<Long> CANCEL = RedisScript.of(new ClassPathResource("lua/cancel.lua"), Long.class);
    static final RedisScript<List> READ = load("read.lua");

    private LuaScripts() {}

    private static RedisScript<List> load(String name) {
        return RedisScript.of(new ClassPathResource("lua/" + name), List.class);
    }
}
