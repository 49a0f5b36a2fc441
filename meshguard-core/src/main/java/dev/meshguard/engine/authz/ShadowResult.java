package dev.meshguard.engine.authz;

/**
 * What the dry-run (`istio.io/dry-run`) policies would have decided: Envoy's RBAC shadow rules
 * report `shadow_engine_result` (`allowed` or `denied`) and, when a rule matched,
 * `shadow_effective_policy_id`, the RBAC policy name Istio gives the rule
 * (`ns[<namespace>]-policy[<name>]-rule[<index>]`).
 *
 * @param effectivePolicyId the matched dry-run rule, or null when none matched
 * @param allowed whether the dry-run policies would let the request through
 */
public record ShadowResult(String effectivePolicyId, boolean allowed) {
  /** Envoy's metadata key for the matched rule. */
  public static final String EFFECTIVE_POLICY_ID = "shadow_effective_policy_id";

  /** Envoy's metadata key for the verdict. */
  public static final String ENGINE_RESULT = "shadow_engine_result";

  /** `allowed` or `denied`, Envoy's values. */
  public String engineResult() {
    return allowed ? "allowed" : "denied";
  }
}
