package dev.meshguard.policy;

import java.util.List;

/** A `security.istio.io` AuthorizationPolicy. */
public record AuthorizationPolicy(
    DocumentOrigin origin,
    ObjectMeta metadata,
    WorkloadSelector selector,
    List<PolicyTargetReference> targetRefs,
    Action action,
    String provider,
    List<Rule> rules)
    implements PolicyResource {

  /** The four actions, in the order the proxy runs them (CUSTOM first). */
  public enum Action {
    CUSTOM,
    DENY,
    ALLOW,
    AUDIT
  }

  public AuthorizationPolicy {
    targetRefs = List.copyOf(targetRefs);
    rules = List.copyOf(rules);
  }

  /** A rule: OR over `from`, OR over `to`, AND over `when`. Null lists mean the field is absent. */
  public record Rule(List<Source> from, List<Operation> to, List<Condition> when) {
    public Rule {
      from = from == null ? null : List.copyOf(from);
      to = to == null ? null : List.copyOf(to);
      when = when == null ? List.of() : List.copyOf(when);
    }
  }

  /** `from[].source`. Every list is empty when the field is absent. */
  public record Source(
      List<String> principals,
      List<String> notPrincipals,
      List<String> requestPrincipals,
      List<String> notRequestPrincipals,
      List<String> namespaces,
      List<String> notNamespaces,
      List<String> serviceAccounts,
      List<String> notServiceAccounts,
      List<String> trustDomains,
      List<String> notTrustDomains,
      List<String> ipBlocks,
      List<String> notIpBlocks,
      List<String> remoteIpBlocks,
      List<String> notRemoteIpBlocks) {}

  /** `to[].operation`. Every list is empty when the field is absent. */
  public record Operation(
      List<String> hosts,
      List<String> notHosts,
      List<String> ports,
      List<String> notPorts,
      List<String> methods,
      List<String> notMethods,
      List<String> paths,
      List<String> notPaths) {}

  /** `when[]`: a condition on one attribute. */
  public record Condition(String key, List<String> values, List<String> notValues) {
    public Condition {
      values = List.copyOf(values);
      notValues = List.copyOf(notValues);
    }
  }
}
