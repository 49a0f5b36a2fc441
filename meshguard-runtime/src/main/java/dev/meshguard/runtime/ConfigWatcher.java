package dev.meshguard.runtime;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Notices configuration changes. A {@link WatchService} on the files' directories reacts quickly; a
 * periodic poll is the fallback where file events are unreliable (network and overlay file systems,
 * Kubernetes ConfigMap symlink swaps). Both compare a content fingerprint, so touching a file or
 * saving it unchanged does not reload.
 */
public final class ConfigWatcher implements Closeable {
  private static final Duration SETTLE = Duration.ofMillis(100);

  private final List<Path> paths;
  private final Duration pollInterval;
  private final Runnable onChange;
  private final Thread thread;
  private volatile boolean stopped;
  private WatchService watchService;
  private String fingerprint;

  public ConfigWatcher(List<Path> paths, Duration pollInterval, Runnable onChange) {
    this.paths = List.copyOf(paths);
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    this.thread = new Thread(this::run, "meshguard-config-watcher");
    thread.setDaemon(true);
  }

  /** Takes the current fingerprint as the baseline and starts watching. */
  public ConfigWatcher start() {
    return start(null);
  }

  /**
   * Starts watching, comparing with {@code baseline}: the fingerprint taken before the
   * configuration in force was read (null: the current one). A change made since that read, before
   * this start, is then noticed on the first check.
   */
  public ConfigWatcher start(String baseline) {
    fingerprint = baseline != null ? baseline : fingerprint(paths);
    try {
      watchService = paths.isEmpty() ? null : paths.get(0).getFileSystem().newWatchService();
      for (Path dir : directoriesToWatch()) {
        dir.register(
            watchService,
            StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      }
    } catch (IOException | UnsupportedOperationException e) {
      // the poll still notices changes
      System.err.println(
          "meshguard: file events unavailable (" + e.getMessage() + "), polling only");
    }
    thread.start();
    return this;
  }

  private Set<Path> directoriesToWatch() {
    Set<Path> dirs = new LinkedHashSet<>();
    for (Path p : paths) {
      Path abs = p.toAbsolutePath();
      if (Files.isDirectory(abs)) {
        dirs.add(abs);
      }
      Path parent = abs.getParent();
      if (parent != null && Files.isDirectory(parent)) {
        dirs.add(parent);
      }
    }
    return dirs;
  }

  private void run() {
    try {
      checkNow(); // a change since the baseline was taken, before the file events were watched
    } catch (RuntimeException e) {
      System.err.println("meshguard: config watcher: " + e);
    }
    while (!stopped) {
      try {
        boolean event = false;
        if (watchService != null) {
          WatchKey key = watchService.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
          if (key != null) {
            key.pollEvents();
            key.reset();
            event = true;
          }
        } else {
          Thread.sleep(pollInterval.toMillis());
        }
        if (event) {
          // let a writer finish before reading what it wrote
          Thread.sleep(SETTLE.toMillis());
          drainEvents();
        }
        checkNow();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        System.err.println("meshguard: config watcher: " + e);
      }
    }
  }

  private void drainEvents() {
    if (watchService == null) {
      return;
    }
    WatchKey key;
    while ((key = watchService.poll()) != null) {
      key.pollEvents();
      key.reset();
    }
  }

  /** Compares the fingerprint now and calls the listener when it changed. */
  void checkNow() {
    String now = fingerprint(paths);
    if (!now.equals(fingerprint)) {
      fingerprint = now;
      if (!stopped) {
        onChange.run();
      }
    }
  }

  /**
   * SHA-256 over the path list, each configuration file's name and content, and markers for missing
   * files; a directory contributes its `*.yaml`, `*.yml` and `*.json` files.
   */
  static String fingerprint(List<Path> paths) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (Path p : paths) {
      for (Path file : filesOf(p)) {
        digest.update(file.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        digest.update((byte) 0);
        try {
          digest.update(Files.readAllBytes(file));
        } catch (IOException e) {
          digest.update(
              ("unreadable:" + e.getClass().getSimpleName())
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        digest.update((byte) 0);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static List<Path> filesOf(Path p) {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(p)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
        for (Path e : entries) {
          String name = e.getFileName().toString().toLowerCase(Locale.ROOT);
          if ((name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"))
              && Files.isRegularFile(e)) {
            files.add(e);
          }
        }
      } catch (IOException e) {
        files.add(p);
      }
      files.sort(null);
    } else {
      files.add(p);
    }
    return files;
  }

  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
    if (watchService != null) {
      try {
        watchService.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
