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
 */
public record LoadResult(PolicySnapshot snapshot, List<Finding> findings, List<String> errors) {
  public LoadResult {
    findings = List.copyOf(findings);
    errors = List.copyOf(errors);
    if (snapshot == null && errors.isEmpty()) {
      throw new IllegalArgumentException("a rejected configuration needs at least one error");
    }
  }

  public static LoadResult accepted(PolicySnapshot snapshot, List<Finding> findings) {
    return new LoadResult(snapshot, findings, List.of());
  }

  public static LoadResult rejected(List<Finding> findings, List<String> errors) {
    return new LoadResult(null, findings, errors);
  }

  public boolean ok() {
    return snapshot != null && errors.isEmpty();
  }
}
