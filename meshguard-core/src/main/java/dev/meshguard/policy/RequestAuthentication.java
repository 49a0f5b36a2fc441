package dev.meshguard.policy;

import java.util.List;

/** A `security.istio.io` RequestAuthentication. */
public record RequestAuthentication(
    DocumentOrigin origin,
    ObjectMeta metadata,
    WorkloadSelector selector,
    List<PolicyTargetReference> targetRefs,
    List<JwtRule> jwtRules)
    implements PolicyResource {
  public RequestAuthentication {
    targetRefs = List.copyOf(targetRefs);
    jwtRules = List.copyOf(jwtRules);
  }
}
