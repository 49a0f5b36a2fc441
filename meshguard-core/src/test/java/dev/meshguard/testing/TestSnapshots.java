package dev.meshguard.testing;

import dev.meshguard.engine.JwksSources;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.policy.ConfigSet;
import java.util.List;
import java.util.Map;

/** Compiled snapshots for tests of the machinery around policies, not of policy semantics. */
public final class TestSnapshots {
  private TestSnapshots() {}

  /** No policies at all, for the workload `default`; fetches no keys. */
  public static PolicySnapshot empty() {
    ConfigSet empty =
        new ConfigSet(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    return SnapshotCompiler.compile(
        empty, MeshSettings.defaults(), new Workload("default", Map.of()), NO_REMOTE_KEYS);
  }

  /**
   * Key sources for snapshots whose policies have inline keys only: asking for a remote one is a
   * mistake in the test, and fails it.
   */
  public static final JwksSources NO_REMOTE_KEYS =
      (rule, config) -> {
        throw new AssertionError("a test snapshot asked for remote keys: " + rule);
      };
}
