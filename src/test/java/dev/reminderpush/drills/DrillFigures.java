package dev.reminderpush.drills;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The figures of each drill run, printed and appended to {@code target/drills/figures.md}; README
 * "Guarantees and failure behaviour" quotes the last run.
 */
final class DrillFigures {

    private static final Path FILE = Path.of("target", "drills", "figures.md");

    private DrillFigures() {}

    static void record(String drill, String figures) {
        String line = "- " + Instant.now() + " **" + drill + "**: " + figures + "\n";
        System.out.print("[drill] " + line);
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void progress(String message) {
        System.out.println("[drill] " + message);
    }
}
