package dev.reminderpush.delivery;

import dev.reminderpush.dispatch.OutboundMessage;
import dev.reminderpush.store.InboxStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Step to-user-inboxes of route deliver-websocket-batch: the websocket channel's messages of one hand-off go into
 * their users' inboxes with one inbox-append.lua call per shard (instead of a Redis round trip per message). Each
 * call is atomic: its messages are marked as taken, and the batch's outcome step acknowledges them; the messages
 * of a shard whose call failed go alone through {@code direct:deliver} (retries, dead letters).
 */
@Component("inboxBatchSender")
public class InboxBatchSender implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(InboxBatchSender.class);

    private final InboxStore inbox;

    public InboxBatchSender(InboxStore inbox) {
        this.inbox = inbox;
    }

    @Override
    public void process(Exchange exchange) {
        DeliveryBatch batch = exchange.getProperty(DeliveryGateway.BATCH, DeliveryBatch.class);
        batch.sender = true;
        Map<Integer, List<Integer>> byShard = new TreeMap<>();
        for (int i = 0; i < batch.messages.size(); i++) {
            byShard.computeIfAbsent(inbox.partitionOf(batch.messages.get(i).userId()), s -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<Integer, List<Integer>> shard : byShard.entrySet()) {
            List<InboxStore.Message> messages = new ArrayList<>(shard.getValue().size());
            for (int position : shard.getValue()) {
                OutboundMessage message = batch.messages.get(position);
                messages.add(new InboxStore.Message(message.userId(), message.messageId(), batch.values.get(position)));
            }
            try {
                inbox.append(shard.getKey(), messages);
                shard.getValue().forEach(batch::brokerAcknowledged);
            } catch (RuntimeException e) { // this shard's node is away: its messages go alone, the others are in
                LOG.debug("Inbox append for shard {} failed; its {} messages go alone: {}", shard.getKey(), messages.size(),
                        e.getMessage());
            }
        }
    }
}
