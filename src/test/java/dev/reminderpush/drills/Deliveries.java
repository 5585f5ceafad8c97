package dev.reminderpush.drills;

import dev.reminderpush.testing.TopicReader.Received;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What reached the message center, per reminder: the messageId of every message that carried it. */
final class Deliveries {

    private final Map<String, List<String>> messageIdsByReminder = new HashMap<>();
    private final Map<String, List<String>> remindersByMessageId = new HashMap<>();
    private long lastFirstArrival;

    Deliveries(List<Received> messages) {
        for (Received message : messages) {
            remindersByMessageId.putIfAbsent(message.messageId(), message.reminderIds());
            for (String id : message.reminderIds()) {
                if (!messageIdsByReminder.containsKey(id)) {
                    lastFirstArrival = Math.max(lastFirstArrival, message.timestamp());
                }
                messageIdsByReminder.computeIfAbsent(id, k -> new java.util.ArrayList<>()).add(message.messageId());
            }
        }
    }

    Set<String> missingOf(Set<String> expected) {
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(messageIdsByReminder.keySet());
        return missing;
    }

    /** Reminders that arrived more than once. */
    Set<String> duplicated() {
        Set<String> duplicated = new TreeSet<>();
        messageIdsByReminder.forEach((id, messageIds) -> {
            if (messageIds.size() > 1) {
                duplicated.add(id);
            }
        });
        return duplicated;
    }

    /** Duplicated reminders whose copies did not all carry one messageId (the center could not drop them). */
    Set<String> duplicatedWithDifferentMessageIds() {
        Set<String> differing = new TreeSet<>();
        messageIdsByReminder.forEach((id, messageIds) -> {
            if (messageIds.size() > 1 && Set.copyOf(messageIds).size() > 1) {
                differing.add(id);
            }
        });
        return differing;
    }

    /** When the last reminder arrived for the first time (record timestamp, epoch millis). */
    long lastFirstArrival() {
        return lastFirstArrival;
    }

    /** For a few duplicated reminders with differing messageIds: the messages that carried each (for the log). */
    String describeDiffering(int max) {
        StringBuilder out = new StringBuilder();
        duplicatedWithDifferentMessageIds().stream().limit(max).forEach(id -> {
            out.append(id).append(':');
            messageIdsByReminder.get(id).forEach(m -> out.append(' ').append(m, 0, 8).append(remindersByMessageId.get(m)));
            out.append('\n');
        });
        return out.toString();
    }

    int distinct() {
        return messageIdsByReminder.size();
    }
}
