package dev.reminderpush.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many WebSocket clients of {@code /push/ws} on one selector thread: a real client per connection (upgrade, pongs
 * to the server's pings, masked frames), at a few KB each, so one JVM holds tens of thousands. Every message frame
 * received is recorded per reminder with the time it arrived.
 */
final class PushLoad implements AutoCloseable {

    /** A reminder as a client received it. */
    record Received(String reminderId, long dueMillis, long receivedMillis) {}

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Upgrades in progress at once: the server's accept queue is 100 by default. */
    private static final int CONNECTING_AT_ONCE = 200;

    private final Selector selector;
    private final List<Connection> connections = new ArrayList<>();
    private final Queue<Received> received = new ConcurrentLinkedQueue<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger closedByServer = new AtomicInteger();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(1 << 20);
    private final Thread loop;
    private volatile boolean running = true;

    private final class Connection {
        final String userId;
        final InetSocketAddress address;
        SocketChannel channel;
        boolean upgraded;
        final StringBuilder head = new StringBuilder();
        ByteArrayOutputStream partial = null;

        Connection(String userId, InetSocketAddress address) {
            this.userId = userId;
            this.address = address;
        }
    }

    /** {@code count} clients, user {@code prefix + i}, spread round-robin over {@code ports}. */
    PushLoad(List<Integer> ports, int count, String prefix) throws IOException {
        selector = Selector.open();
        for (int i = 0; i < count; i++) {
            connections.add(new Connection(prefix + i, new InetSocketAddress("127.0.0.1", ports.get(i % ports.size()))));
        }
        loop = new Thread(this::run, "push-load");
        loop.setDaemon(true);
        loop.start();
    }

    int open() {
        return open.get();
    }

    int failed() {
        return failed.get();
    }

    int closedByServer() {
        return closedByServer.get();
    }

    List<Received> received() {
        return new ArrayList<>(received);
    }

    private void run() {
        int next = 0;
        try {
            while (running) {
                while (next < connections.size() && next - open.get() - failed.get() < CONNECTING_AT_ONCE) {
                    start(connections.get(next++));
                }
                selector.select(50);
                for (SelectionKey key : selector.selectedKeys()) {
                    Connection c = (Connection) key.attachment();
                    try {
                        if (key.isConnectable()) {
                            c.channel.finishConnect();
                            String request = "GET /push/ws?userId=" + c.userId + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
                            write(c, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
                            key.interestOps(SelectionKey.OP_READ);
                        } else if (key.isReadable()) {
                            read(c, key);
                        }
                    } catch (IOException | RuntimeException e) {
                        drop(c, key, !c.upgraded);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void start(Connection c) {
        try {
            c.channel = SocketChannel.open();
            c.channel.configureBlocking(false);
            c.channel.connect(c.address);
            c.channel.register(selector, SelectionKey.OP_CONNECT, c);
        } catch (IOException e) {
            failed.incrementAndGet();
        }
    }

    private void drop(Connection c, SelectionKey key, boolean beforeUpgrade) {
        key.cancel();
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // closed
        }
        if (beforeUpgrade) {
            failed.incrementAndGet();
        } else {
            open.decrementAndGet();
            closedByServer.incrementAndGet();
        }
    }

    private void read(Connection c, SelectionKey key) throws IOException {
        readBuffer.clear();
        int n = c.channel.read(readBuffer);
        if (n < 0) {
            drop(c, key, !c.upgraded);
            return;
        }
        readBuffer.flip();
        byte[] bytes = new byte[readBuffer.remaining()];
        readBuffer.get(bytes);
        int from = 0;
        if (!c.upgraded) {
            while (from < bytes.length && !c.head.toString().endsWith("\r\n\r\n")) {
                c.head.append((char) bytes[from++]);
            }
            if (!c.head.toString().endsWith("\r\n\r\n")) {
                return;
            }
            if (!c.head.toString().startsWith("HTTP/1.1 101")) {
                throw new IOException("upgrade refused: " + c.head.substring(0, Math.min(40, c.head.length())));
            }
            c.upgraded = true;
            open.incrementAndGet();
        }
        byte[] data;
        if (c.partial != null) {
            c.partial.write(bytes, from, bytes.length - from);
            data = c.partial.toByteArray();
            from = 0;
            c.partial = null;
        } else {
            data = bytes;
        }
        long now = System.currentTimeMillis();
        while (from < data.length) {
            int consumed = frame(c, data, from, now);
            if (consumed < 0) {
                c.partial = new ByteArrayOutputStream();
                c.partial.write(data, from, data.length - from);
                return;
            }
            from += consumed;
        }
    }

    /** Handles one whole frame at {@code at}; returns its length, or -1 when it is not all there yet. */
    private int frame(Connection c, byte[] data, int at, long now) throws IOException {
        if (data.length - at < 2) {
            return -1;
        }
        int opcode = data[at] & 0x0f;
        long length = data[at + 1] & 0x7f;
        int header = 2;
        if (length == 126) {
            if (data.length - at < 4) {
                return -1;
            }
            length = ((data[at + 2] & 0xff) << 8) | (data[at + 3] & 0xff);
            header = 4;
        } else if (length == 127) {
            if (data.length - at < 10) {
                return -1;
            }
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | (data[at + 2 + i] & 0xff);
            }
            header = 10;
        }
        if (data.length - at - header < length) {
            return -1;
        }
        int start = at + header;
        if (opcode == 0x1) {
            record(new String(data, start, (int) length, StandardCharsets.UTF_8), now);
        } else if (opcode == 0x9) { // ping: a pong with the same payload, masked (all zero mask)
            ByteBuffer pong = ByteBuffer.allocate(6 + (int) length);
            pong.put((byte) 0x8A).put((byte) (0x80 | length)).putInt(0).put(data, start, (int) length).flip();
            write(c, pong);
        } else if (opcode == 0x8) {
            throw new IOException("closed by the server");
        }
        return header + (int) length;
    }

    private void record(String text, long now) throws IOException {
        JsonNode frame = MAPPER.readTree(text);
        for (JsonNode reminder : frame.path("message").path("reminders")) {
            received.add(new Received(reminder.get("id").asText(), Instant.parse(reminder.get("dueAt").asText()).toEpochMilli(), now));
        }
    }

    private static void write(Connection c, ByteBuffer buffer) throws IOException {
        long deadline = System.currentTimeMillis() + 1_000;
        while (buffer.hasRemaining()) {
            if (c.channel.write(buffer) == 0 && System.currentTimeMillis() > deadline) {
                throw new IOException("cannot write to the server");
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        loop.join(5_000);
        for (Connection c : connections) {
            try {
                if (c.channel != null) {
                    c.channel.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
