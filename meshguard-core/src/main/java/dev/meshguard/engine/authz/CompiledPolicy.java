package dev.meshguard.engine.authz;

import dev.meshguard.policy.AuthorizationPolicy.Action;
import java.util.List;
import java.util.Objects;

/**
 * An AuthorizationPolicy selected for the workload, with its rules compiled. Its names are made
 * once here, so deciding never concatenates them.
 */
public final class CompiledPolicy {
  private final String namespace;
  private final String name;
  private final Action action;
  private final boolean dryRun;
  private final String provider;
  private final List<CompiledRule> rules;
  private final String qualifiedName;
  private final String[] rbacNames;

  /**
   * @param dryRun `istio.io/dry-run: true` on an ALLOW or DENY policy: evaluated, reported, never
   *     enforced
   * @param provider the CUSTOM provider name, or null
   */
  public CompiledPolicy(
      String namespace,
      String name,
      Action action,
      boolean dryRun,
      String provider,
      List<CompiledRule> rules) {
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.name = Objects.requireNonNull(name, "name");
    this.action = Objects.requireNonNull(action, "action");
    this.dryRun = dryRun;
    this.provider = provider;
    this.rules = List.copyOf(rules);
    this.qualifiedName = namespace + "/" + name;
    this.rbacNames = new String[this.rules.size()];
    for (int i = 0; i < rbacNames.length; i++) {
      rbacNames[i] = "ns[" + namespace + "]-policy[" + name + "]-rule[" + i + "]";
    }
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  public Action action() {
    return action;
  }

  public boolean dryRun() {
    return dryRun;
  }

  public String provider() {
    return provider;
  }

  public List<CompiledRule> rules() {
    return rules;
  }

  public String qualifiedName() {
    return qualifiedName;
  }

  /**
   * Envoy's RBAC policy name for a rule (`ns[<namespace>]-policy[<name>]-rule[<index>]`); of
   * several matching rules, the one with the lowest name is reported.
   */
  String rbacName(int ruleIndex) {
    return rbacNames[ruleIndex];
  }

  @Override
  public String toString() {
    return "CompiledPolicy[" + qualifiedName + ", " + action + (dryRun ? ", dry-run" : "") + "]";
  }
}
