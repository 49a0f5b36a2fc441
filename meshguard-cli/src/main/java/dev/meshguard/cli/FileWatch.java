package dev.meshguard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Notices when files change, by polling their size and modification time (directories: the same for
 * each file in them). Polling works on every file system, editors that replace files included,
 * which watch services do not promise.
 */
final class FileWatch {
  private static final long POLL_MILLIS = 300;

  private final List<Path> paths;
  private final List<String> baseline;

  FileWatch(List<Path> paths) {
    this.paths = List.copyOf(paths);
    this.baseline = fingerprint();
  }

  /** Blocks until something differs from when this watch was made. */
  void awaitChange() throws InterruptedException {
    while (Objects.equals(baseline, fingerprint())) {
      Thread.sleep(POLL_MILLIS);
    }
  }

  private List<String> fingerprint() {
    List<String> out = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> entries = Files.list(p)) {
          entries.sorted().forEach(e -> out.add(stamp(e)));
        } catch (IOException e) {
          out.add(p + " unreadable");
        }
      } else {
        out.add(stamp(p));
      }
    }
    return out;
  }

  private static String stamp(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      return p + " " + a.size() + " " + a.lastModifiedTime().toMillis();
    } catch (IOException e) {
      return p + " missing";
    }
  }
}
