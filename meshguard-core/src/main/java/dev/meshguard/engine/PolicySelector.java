package dev.meshguard.engine;

import dev.meshguard.policy.PolicyResource;
import dev.meshguard.policy.PolicyTargetReference;
import java.util.Map;

/**
 * Which policies apply to a workload (istiod's policy attachment): the workload's namespace plus
 * the root namespace; a selector is a label subset; `targetRefs` attach only to Gateway API
 * gateways (label `gateway.networking.k8s.io/gateway-name`).
 */
final class PolicySelector {
  static final String GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";

  private PolicySelector() {}

  static boolean applies(PolicyResource policy, Workload workload, String rootNamespace) {
    String ns = policy.metadata().namespace();
    if (!ns.equals(workload.namespace()) && !ns.equals(rootNamespace)) {
      return false;
    }
    String gatewayName = workload.labels().get(GATEWAY_NAME_LABEL);
    if (!policy.targetRefs().isEmpty()) {
      if (gatewayName == null) {
        return false; // targetRefs never attach to ordinary sidecars
      }
      for (PolicyTargetReference ref : policy.targetRefs()) {
        boolean gatewayKind =
            "Gateway".equals(ref.kind()) && "gateway.networking.k8s.io".equals(ref.group());
        if (gatewayKind && gatewayName.equals(ref.name()) && ns.equals(workload.namespace())) {
          return true;
        }
      }
      return false;
    }
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
