package dev.meshguard.engine;

import dev.meshguard.policy.PolicyResource;
import dev.meshguard.policy.PolicyTargetReference;
import java.util.Map;

/**
 * Which policies apply to a workload, as istiod's `WorkloadPolicyMatcher.ShouldAttachPolicy`
 * decides: policies of the workload's namespace and of the root namespace are candidates. A sidecar
 * uses selectors (a label subset) and ignores every policy with `targetRefs`. A Gateway API gateway
 * (label `gateway.networking.k8s.io/gateway-name`) takes `targetRefs` to its Gateway in its own
 * namespace, and selector policies when none are set. A waypoint (`--service`) never uses
 * selectors: it takes `targetRefs` to the Service or ServiceEntry it fronts (from that service's
 * namespace), to its Gateway, and to the GatewayClass `istio-waypoint` from the root namespace.
 */
final class PolicySelector {
  static final String GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";
  static final String WAYPOINT_GATEWAY_CLASS = "istio-waypoint";
  private static final String GATEWAY_API_GROUP = "gateway.networking.k8s.io";

  private PolicySelector() {}

  static boolean applies(PolicyResource policy, Workload workload, String rootNamespace) {
    String ns = policy.metadata().namespace();
    if (!ns.equals(workload.namespace()) && !ns.equals(rootNamespace)) {
      return false;
    }
    String gatewayName = workload.labels().get(GATEWAY_NAME_LABEL);
    boolean waypoint = workload.isWaypoint();
    if (gatewayName == null && !waypoint) {
      return policy.targetRefs().isEmpty() && selected(policy, workload);
    }
    if (policy.targetRefs().isEmpty()) {
      // ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY (default on) for gateways; never for waypoints
      return !waypoint && selected(policy, workload);
    }
    for (PolicyTargetReference ref : policy.targetRefs()) {
      if (attaches(ref, ns, workload, gatewayName, rootNamespace)) {
        return true;
      }
    }
    return false;
  }

  private static boolean attaches(
      PolicyTargetReference ref,
      String policyNamespace,
      Workload workload,
      String gatewayName,
      String rootNamespace) {
    String name = ref.name();
    FrontedService service = workload.service();
    // the fronted service lives in the workload's namespace (`--namespace`)
    boolean serviceNamespace = policyNamespace.equals(workload.namespace());
    if (service != null && serviceNamespace && is(ref, "core", "Service")) {
      if (service.isService(name)) {
        return true;
      }
    }
    if (service != null && serviceNamespace && is(ref, "networking.istio.io", "ServiceEntry")) {
      if (service.isServiceEntry(name)) {
        return true;
      }
    }
    if (service != null
        && policyNamespace.equals(rootNamespace)
        && is(ref, GATEWAY_API_GROUP, "GatewayClass")
        && WAYPOINT_GATEWAY_CLASS.equals(name)) {
      return true;
    }
    if (!policyNamespace.equals(workload.namespace())) {
      return false;
    }
    if (ref.namespace() != null
        && !ref.namespace().isEmpty()
        && !ref.namespace().equals(workload.namespace())) {
      return false;
    }
    return is(ref, GATEWAY_API_GROUP, "Gateway") && gatewayName != null && gatewayName.equals(name);
  }

  /** Istio's `matchesGroupKind`: the group compared canonically (empty means `core`). */
  private static boolean is(PolicyTargetReference ref, String group, String kind) {
    String refGroup = ref.group() == null || ref.group().isEmpty() ? "core" : ref.group();
    return refGroup.equals(group) && kind.equals(ref.kind());
  }

  private static boolean selected(PolicyResource policy, Workload workload) {
    if (policy.selector() == null) {
      return true;
    }
    for (Map.Entry<String, String> label : policy.selector().matchLabels().entrySet()) {
      if (!label.getValue().equals(workload.labels().get(label.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
