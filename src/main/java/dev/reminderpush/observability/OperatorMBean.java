package dev.reminderpush.observability;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.delivery.DeliveryCircuit;
import dev.reminderpush.dispatch.ClaimingSwitch;
import dev.reminderpush.store.DeadLetterStore;
import dev.reminderpush.store.Resharding;
import dev.reminderpush.store.ShardFunction;
import dev.reminderpush.store.ShardHash;
import org.springframework.jmx.export.annotation.ManagedAttribute;
import org.springframework.jmx.export.annotation.ManagedOperation;
import org.springframework.jmx.export.annotation.ManagedResource;
import org.springframework.stereotype.Component;

/** Operator actions in JMX (and so in Hawtio, next to the Camel routes): {@code reminder-push:type=Operations}. */
@Component
@ManagedResource(objectName = "reminder-push:type=Operations", description = "reminder-push operator actions")
public class OperatorMBean {

    private final ClaimingSwitch claiming;
    private final DeliveryCircuit circuit;
    private final DeadLetterStore deadLetters;
    private final ReminderProperties properties;
    private final ShardFunction shards;
    private final Resharding resharding;

    public OperatorMBean(ClaimingSwitch claiming, DeliveryCircuit circuit, DeadLetterStore deadLetters,
            ReminderProperties properties, ShardFunction shards, Resharding resharding) {
        this.shards = shards;
        this.resharding = resharding;
        this.claiming = claiming;
        this.circuit = circuit;
        this.deadLetters = deadLetters;
        this.properties = properties;
    }

    @ManagedOperation(description = "Stop claiming due reminders on this instance (deliveries in flight go on)")
    public void pauseClaiming() {
        claiming.pause();
    }

    @ManagedOperation(description = "Claim due reminders again")
    public void resumeClaiming() {
        claiming.resume();
    }

    @ManagedOperation(description = "Send every dead letter back to the due set; returns what happened")
    public String redriveAllDeadLetters() {
        return deadLetters.redriveAll().toString();
    }

    @ManagedAttribute(description = "True while an operator paused claiming")
    public boolean isClaimingPaused() {
        return claiming.isPaused();
    }

    @ManagedAttribute(description = "True while the delivery circuit pauses claiming after repeated failures")
    public boolean isCircuitOpen() {
        return circuit.isOpen();
    }

    @ManagedAttribute(description = "Dead letters in all shards")
    public long getDeadLetters() {
        return deadLetters.total();
    }

    @ManagedAttribute(description = "Shards of the layout this instance follows (while migrating: the layout being left)")
    public int getShardCount() {
        return shards.layout().count();
    }

    @ManagedAttribute(description = "The shard layout this instance follows: epoch, count, mapping, migration target")
    public String getShardLayout() {
        return shards.layout().toString();
    }

    @ManagedOperation(description = "Change the shard count online (mapping: jump); returns the new layout. "
            + "Refused while a migration runs.")
    public String reshard(int shardCount) {
        return resharding.start(shardCount, ShardHash.JUMP).layout().toString();
    }

    @ManagedAttribute(description = "reminders.dispatch.batch-size")
    public int getBatchSize() {
        return properties.dispatch().batchSize();
    }
}
