package dev.reminderpush.store;

/** A shard refused a write: it has seen a newer layout epoch than the writer's (the fence). The writer reads the layout again. */
class StaleLayoutException extends RuntimeException {

    StaleLayoutException() {
        super("a shard has seen a newer layout", null, false, false);
    }
}
