package dev.meshguard.runtime;

import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.policy.Finding;
import java.util.List;

/**
 * The result of reading and compiling the configuration once.
 *
 * @param snapshot the compiled snapshot, or null when the configuration was rejected
 * @param findings every finding (errors and warnings), for `/config_dump`
 * @param errors why the configuration was rejected, one line each (empty when accepted)
 * @param remoteSources the fetched key sources the snapshot uses, or null when the loader did not
 *     record them; once the snapshot is in force, every other remote source may stop (see {@link
 *     RemoteKeysInForce})
 * @param workloads compiles the same configuration for another workload, or null when the loader
 *     cannot (then only the workload it was loaded for is served)
 */
public record LoadResult(
    PolicySnapshot snapshot,
    List<Finding> findings,
    List<String> errors,
    List<JwksSource> remoteSources,
    WorkloadCompiler workloads) {
  public LoadResult {
    findings = List.copyOf(findings);
    errors = List.copyOf(errors);
    remoteSources = remoteSources == null ? null : List.copyOf(remoteSources);
    if (snapshot == null && errors.isEmpty()) {
      throw new IllegalArgumentException("a rejected configuration needs at least one error");
    }
  }

  /** Without a compiler for other workloads. */
  public LoadResult(
      PolicySnapshot snapshot,
      List<Finding> findings,
      List<String> errors,
      List<JwksSource> remoteSources) {
    this(snapshot, findings, errors, remoteSources, null);
  }

  /** The same result, able to compile its configuration for other workloads. */
  public LoadResult withWorkloads(WorkloadCompiler compiler) {
    return new LoadResult(snapshot, findings, errors, remoteSources, compiler);
  }

  /** An accepted configuration that uses exactly {@code remoteSources} as fetched key sources. */
  public static LoadResult accepted(
      PolicySnapshot snapshot, List<Finding> findings, List<? extends JwksSource> remoteSources) {
    return new LoadResult(snapshot, findings, List.of(), List.copyOf(remoteSources));
  }

  /**
   * An accepted configuration whose fetched key sources are unknown, so none is stopped on its
   * account.
   */
  public static LoadResult accepted(PolicySnapshot snapshot, List<Finding> findings) {
    return new LoadResult(snapshot, findings, List.of(), null);
  }

  public static LoadResult rejected(List<Finding> findings, List<String> errors) {
    return new LoadResult(null, findings, errors, List.of());
  }

  public boolean ok() {
    return snapshot != null && errors.isEmpty();
  }
}
