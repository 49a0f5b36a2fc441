package dev.meshguard.policy;

import java.util.List;
import java.util.Map;

/** istiod's checks of `selector` and `targetRefs`, shared by both security kinds. */
final class AttachmentChecks {
  private static final int MAX_TARGET_REFS = 16;
  private static final int MAX_LABEL_VALUE_LENGTH = 63;
  private static final String GATEWAY_API_GROUP = "gateway.networking.k8s.io";

  private AttachmentChecks() {}

  static void check(PolicyResource policy, FindingSink sink) {
    WorkloadSelector selector = policy.selector();
    List<PolicyTargetReference> targetRefs = policy.targetRefs();
    if (selector != null && !targetRefs.isEmpty()) {
      sink.error("spec", "only one of targetRefs or workloadSelector can be set");
    }
    if (selector != null) {
      checkSelector(selector, sink);
    }
    if (targetRefs.size() > MAX_TARGET_REFS) {
      sink.error("spec.targetRefs", "must have at most " + MAX_TARGET_REFS + " items");
    }
    for (int i = 0; i < targetRefs.size(); i++) {
      checkTargetRef(targetRefs.get(i), Paths.index("spec.targetRefs", i), sink);
    }
  }

  private static void checkSelector(WorkloadSelector selector, FindingSink sink) {
    String path = "spec.selector.matchLabels";
    for (Map.Entry<String, String> label : selector.matchLabels().entrySet()) {
      String key = label.getKey();
      String value = label.getValue();
      String pair = Text.quote(key + "=" + value);
      if (key.isEmpty()) {
        sink.error(path, "empty key is not supported in selector: " + pair);
      }
      if (key.contains("*") || value.contains("*")) {
        sink.error(Paths.key(path, key), "wildcard is not supported in selector: " + pair);
      }
      if (value.length() > MAX_LABEL_VALUE_LENGTH) {
        sink.error(
            Paths.key(path, key),
            "label value must be at most " + MAX_LABEL_VALUE_LENGTH + " characters");
      }
    }
    if (selector.matchLabels().isEmpty()) {
      sink.warning("spec.selector", "workload selector specified without labels");
    }
  }

  private static void checkTargetRef(PolicyTargetReference ref, String path, FindingSink sink) {
    if (Text.isNullOrEmpty(ref.name())) {
      sink.error(path, "targetRef name must be set");
    }
    if (!Text.isNullOrEmpty(ref.namespace())) {
      sink.error(
          Paths.field(path, "namespace"),
          "targetRef namespace must not be set; cross namespace referencing is not supported");
    }
    String group = Text.isNullOrEmpty(ref.group()) ? "core" : ref.group();
    String kind = ref.kind() == null ? "" : ref.kind();
    boolean allowed =
        (group.equals("core") && kind.equals("Service"))
            || (group.equals("networking.istio.io") && kind.equals("ServiceEntry"))
            || (group.equals(GATEWAY_API_GROUP)
                && (kind.equals("Gateway") || kind.equals("GatewayClass")));
    if (!allowed) {
      sink.error(
          path,
          "targetRef must be to one of core/Service, networking.istio.io/ServiceEntry, "
              + GATEWAY_API_GROUP
              + "/Gateway, "
              + GATEWAY_API_GROUP
              + "/GatewayClass but was "
              + Text.quote((ref.group() == null ? "" : ref.group()) + "/" + kind));
    }
  }
}
