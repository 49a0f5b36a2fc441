package dev.meshguard.policy;

import java.util.List;

/**
 * Warns about `targetRefs` that istiod accepts but that can never attach: a GatewayClass other than
 * `istio-waypoint` (istiod attaches only that class, to waypoints, from the root namespace).
 */
final class TargetRefLint {
  static final String WAYPOINT_GATEWAY_CLASS = "istio-waypoint";

  private TargetRefLint() {}

  static void lint(PolicyResource policy, FindingSink sink) {
    List<PolicyTargetReference> refs = policy.targetRefs();
    for (int i = 0; i < refs.size(); i++) {
      PolicyTargetReference ref = refs.get(i);
      if ("gateway.networking.k8s.io".equals(ref.group())
          && "GatewayClass".equals(ref.kind())
          && ref.name() != null
          && !ref.name().isEmpty()
          && !WAYPOINT_GATEWAY_CLASS.equals(ref.name())) {
        sink.warning(
            Paths.index("spec.targetRefs", i),
            PolicyLinter.PREFIX
                + "GatewayClass "
                + Text.quote(ref.name())
                + " never attaches: istiod attaches only the GatewayClass `"
                + WAYPOINT_GATEWAY_CLASS
                + "`, to waypoints, from the root namespace");
      }
    }
  }
}
