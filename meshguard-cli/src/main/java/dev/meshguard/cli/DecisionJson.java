package dev.meshguard.cli;

import dev.meshguard.engine.Decision;
import dev.meshguard.engine.authz.ShadowResult;
import dev.meshguard.policy.Finding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decision as `check --json` prints it (interface.md fixes the fields); `test` and `replay` show
 * decisions in the same shape.
 */
final class DecisionJson {
  private DecisionJson() {}

  /**
   * @param findings configuration findings, shown as `warnings` when there are any
   * @param explain whether to include the `trace`
   */
  static Map<String, Object> of(Decision decision, List<Finding> findings, boolean explain) {
    Map<String, Object> obj = new LinkedHashMap<>();
    obj.put("status", decision.status());
    obj.put("allowed", decision.allowed());
    obj.put("reason", decision.reason());
    obj.put("policy", decision.policy());
    obj.put("principal", decision.principal());
    obj.put("outcome", decision.outcome().name());
    obj.put("jwt", decision.jwtStatus().message());
    // Envoy's RBAC shadow metadata keys; null when no dry-run policy was evaluated
    ShadowResult shadow = decision.shadow();
    obj.put(ShadowResult.EFFECTIVE_POLICY_ID, shadow == null ? null : shadow.effectivePolicyId());
    obj.put(ShadowResult.ENGINE_RESULT, shadow == null ? null : shadow.engineResult());
    if (decision.body() != null) {
      obj.put("body", decision.body());
    }
    Map<String, String> responseHeaders = new LinkedHashMap<>();
    decision.responseHeaders().forEach(e -> responseHeaders.put(e.getKey(), e.getValue()));
    if (!responseHeaders.isEmpty()) {
      obj.put("responseHeaders", responseHeaders);
    }
    if (decision.upstream() != null) {
      Map<String, Object> upstream = new LinkedHashMap<>();
      upstream.put("path", decision.upstream().path());
      upstream.put("removeHeaders", decision.upstream().removeHeaders());
      Map<String, String> add = new LinkedHashMap<>();
      decision.upstream().addHeaders().forEach(e -> add.put(e.getKey(), e.getValue()));
      upstream.put("addHeaders", add);
      obj.put("upstream", upstream);
    }
    List<String> warnings = new ArrayList<>();
    findings.forEach(f -> warnings.add(f.format()));
    if (!warnings.isEmpty()) {
      obj.put("warnings", warnings);
    }
    if (explain) {
      obj.put("trace", decision.trace());
    }
    return obj;
  }

  /** The one-line summary `check` prints: `403 denied: reason [policy ns/name]`. */
  static String summary(Decision decision) {
    return decision.status()
        + " "
        + (decision.allowed() ? "allowed" : "denied")
        + ": "
        + decision.reason()
        + (decision.policy() == null ? "" : " [policy " + decision.policy() + "]")
        + (decision.principal() == null ? "" : " [principal " + decision.principal() + "]");
  }
}
