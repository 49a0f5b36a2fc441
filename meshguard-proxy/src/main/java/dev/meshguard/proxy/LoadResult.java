package dev.meshguard.proxy;

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
 * @param remoteKeys whether some JWT rule of the snapshot fetches its keys (see {@link
 *     ActivePolicy#mayBlock()})
 * @param remoteSources the fetched key sources the snapshot uses, or null when the loader did not
 *     record them; once the snapshot is in force, every other remote source may stop (see {@link
 *     Gateway})
 * @param workloads compiles the same configuration for another workload, or null when the loader
 *     cannot (then only the workload it was loaded for is served)
 */
public record LoadResult(
    PolicySnapshot snapshot,
    List<Finding> findings,
    List<String> errors,
    boolean remoteKeys,
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
      boolean remoteKeys,
      List<JwksSource> remoteSources) {
    this(snapshot, findings, errors, remoteKeys, remoteSources, null);
  }

  /** The same result, able to compile its configuration for other workloads. */
  public LoadResult withWorkloads(WorkloadCompiler compiler) {
    return new LoadResult(snapshot, findings, errors, remoteKeys, remoteSources, compiler);
  }

  /** An accepted configuration that uses exactly {@code remoteSources} as fetched key sources. */
  public static LoadResult accepted(
      PolicySnapshot snapshot, List<Finding> findings, List<? extends JwksSource> remoteSources) {
    return new LoadResult(
        snapshot, findings, List.of(), !remoteSources.isEmpty(), List.copyOf(remoteSources));
  }

  /**
   * An accepted configuration; {@code remoteKeys} says whether deciding may block. Which sources it
   * uses is unknown, so none is stopped on its account.
   */
  public static LoadResult accepted(
      PolicySnapshot snapshot, List<Finding> findings, boolean remoteKeys) {
    return new LoadResult(snapshot, findings, List.of(), remoteKeys, null);
  }

  /** An accepted configuration whose keys may be fetched (the safe assumption). */
  public static LoadResult accepted(PolicySnapshot snapshot, List<Finding> findings) {
    return accepted(snapshot, findings, true);
  }

  public static LoadResult rejected(List<Finding> findings, List<String> errors) {
    return new LoadResult(null, findings, errors, false, List.of());
  }

  public boolean ok() {
    return snapshot != null && errors.isEmpty();
  }
}
