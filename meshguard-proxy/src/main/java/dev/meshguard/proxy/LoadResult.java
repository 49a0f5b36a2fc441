package dev.meshguard.proxy;

import dev.meshguard.engine.PolicySnapshot;
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
 */
public record LoadResult(
    PolicySnapshot snapshot, List<Finding> findings, List<String> errors, boolean remoteKeys) {
  public LoadResult {
    findings = List.copyOf(findings);
    errors = List.copyOf(errors);
    if (snapshot == null && errors.isEmpty()) {
      throw new IllegalArgumentException("a rejected configuration needs at least one error");
    }
  }

  /** An accepted configuration; {@code remoteKeys} says whether deciding may block. */
  public static LoadResult accepted(
      PolicySnapshot snapshot, List<Finding> findings, boolean remoteKeys) {
    return new LoadResult(snapshot, findings, List.of(), remoteKeys);
  }

  /** An accepted configuration whose keys may be fetched (the safe assumption). */
  public static LoadResult accepted(PolicySnapshot snapshot, List<Finding> findings) {
    return accepted(snapshot, findings, true);
  }

  public static LoadResult rejected(List<Finding> findings, List<String> errors) {
    return new LoadResult(null, findings, errors, false);
  }

  public boolean ok() {
    return snapshot != null && errors.isEmpty();
  }
}
