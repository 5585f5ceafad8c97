package dev.reminderpush.dispatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** An operator's pause of claiming on this instance (JMX, Hawtio): deliveries in flight go on. */
@Component
public class ClaimingSwitch {

    private static final Logger LOG = LoggerFactory.getLogger(ClaimingSwitch.class);

    private volatile boolean paused;

    public void pause() {
        paused = true;
        LOG.warn("Claiming paused by an operator");
    }

    public void resume() {
        paused = false;
        LOG.info("Claiming resumed by an operator");
    }

    public boolean isPaused() {
        return paused;
    }
}
