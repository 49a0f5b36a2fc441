package dev.meshguard.engine.authz;

import java.util.List;

/**
 * What authorization decided.
 *
 * @param allowed whether the request may go on
 * @param custom true when a CUSTOM policy denied it
 * @param policy `namespace/name` of the deciding policy (the matched DENY, CUSTOM or ALLOW), or
 *     null
 * @param reason a readable cause
 * @param trace one line per policy and rule considered
 * @param shadow what the dry-run policies would have decided, or null when none was evaluated
 */
public record AuthzResult(
    boolean allowed,
    boolean custom,
    String policy,
    String reason,
    List<String> trace,
    ShadowResult shadow) {
  public AuthzResult {
    trace = List.copyOf(trace);
  }

  /** A result without dry-run policies. */
  public AuthzResult(
      boolean allowed, boolean custom, String policy, String reason, List<String> trace) {
    this(allowed, custom, policy, reason, trace, null);
  }
}
