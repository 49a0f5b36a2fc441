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
 */
public record AuthzResult(
    boolean allowed, boolean custom, String policy, String reason, List<String> trace) {
  public AuthzResult {
    trace = List.copyOf(trace);
  }
}
