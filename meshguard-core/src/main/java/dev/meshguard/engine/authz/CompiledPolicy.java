package dev.meshguard.engine.authz;

import dev.meshguard.policy.AuthorizationPolicy.Action;
import java.util.List;

/**
 * An AuthorizationPolicy selected for the workload, with its rules compiled.
 *
 * @param dryRun `istio.io/dry-run: true` on an ALLOW or DENY policy: evaluated, reported, never
 *     enforced
 * @param provider the CUSTOM provider name, or null
 */
public record CompiledPolicy(
    String namespace,
    String name,
    Action action,
    boolean dryRun,
    String provider,
    List<CompiledRule> rules) {

  public CompiledPolicy {
    rules = List.copyOf(rules);
  }

  public String qualifiedName() {
    return namespace + "/" + name;
  }

  /** Envoy's RBAC policy name for a rule; the matched one reported is the lowest of these. */
  String rbacName(int ruleIndex) {
    return "ns[" + namespace + "]-policy[" + name + "]-rule[" + ruleIndex + "]";
  }
}
