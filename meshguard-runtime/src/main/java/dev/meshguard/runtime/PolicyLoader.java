package dev.meshguard.runtime;

import java.nio.file.Path;
import java.util.List;

/** Reads and compiles the configuration; called at start and on every detected change. */
public interface PolicyLoader {

  /** Loads the configuration now. Never throws: problems are errors in the result. */
  LoadResult load();

  /** Files and directories whose changes trigger a reload. */
  List<Path> watchedPaths();

  /**
   * The {@link ConfigWatcher#fingerprint} of {@link #watchedPaths()} taken just before the last
   * {@link #load} read them, or null when this loader does not know it (the watcher then takes its
   * baseline when it starts).
   */
  default String fingerprintOfLastLoad() {
    return null;
  }

  /**
   * Where the configuration read by the last {@link #load} trusts Istio's published sample key
   * ({@link DemoKeys}), so that a start-up warning needs no second read; empty before the first
   * load or when this loader does not record it.
   */
  default List<String> demoKeyUsagesOfLastLoad() {
    return List.of();
  }
}
