package dev.meshguard.policy;

import dev.meshguard.policy.AuthorizationPolicy.Action;
import dev.meshguard.policy.AuthorizationPolicy.Condition;
import dev.meshguard.policy.AuthorizationPolicy.Operation;
import dev.meshguard.policy.AuthorizationPolicy.Rule;
import dev.meshguard.policy.AuthorizationPolicy.Source;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What istiod's `ValidateAuthorizationPolicy` checks (plus the CRD's size limits), as findings with
 * field paths. An absent `rules` and `rules: []` are treated alike: both never trigger.
 */
final class AuthorizationPolicyValidator {
  private static final int MAX_RULES = 512;
  private static final int MAX_FROM = 512;

  /** `when` keys CUSTOM cannot use: the ext_authz filter runs before JWT and peer identity. */
  private static final Set<String> CUSTOM_FORBIDDEN_KEYS =
      Set.of("source.namespace", "source.serviceAccount", "source.trustDomain", "source.principal");

  private static final String NEVER_TRIGGERED =
      " action without `rules` is meaningless as it will never be triggered, "
          + "add an empty rule `{}` if you want it be triggered for every request";

  private AuthorizationPolicyValidator() {}

  static void validate(AuthorizationPolicy policy, FindingSink sink) {
    AttachmentChecks.check(policy, sink);
    Action action = policy.action();
    List<Rule> rules = policy.rules();
    if (action == Action.CUSTOM) {
      if (rules.isEmpty()) {
        sink.error("spec.rules", "CUSTOM" + NEVER_TRIGGERED);
      } else if (Text.isNullOrEmpty(policy.provider())) {
        sink.error("spec.provider.name", "`provider.name` must not be empty");
      }
      checkCustomRules(rules, sink);
    }
    if (policy.provider() != null && action != null && action != Action.CUSTOM) {
      sink.error(
          "spec.provider", "`provider` must not be set with non CUSTOM action, found " + action);
    }
    if (action == Action.DENY && rules.isEmpty()) {
      sink.error("spec.rules", "DENY" + NEVER_TRIGGERED);
    }
    if (rules.size() > MAX_RULES) {
      sink.error("spec.rules", "must have at most " + MAX_RULES + " items");
    }
    for (int i = 0; i < rules.size(); i++) {
      checkRule(rules.get(i), Paths.index("spec.rules", i), action, sink);
    }
    DryRunAnnotation.check(policy, sink);
  }

  private static void checkCustomRules(List<Rule> rules, FindingSink sink) {
    for (int i = 0; i < rules.size(); i++) {
      String rulePath = Paths.index("spec.rules", i);
      Rule rule = rules.get(i);
      if (rule.from() != null) {
        for (int j = 0; j < rule.from().size(); j++) {
          String path = Paths.index(Paths.field(rulePath, "from"), j) + ".source";
          identityFields(rule.from().get(j))
              .forEach(
                  (name, values) -> {
                    if (!values.isEmpty()) {
                      sink.error(
                          Paths.field(path, name),
                          Text.quote(name) + " is currently not supported with CUSTOM action");
                    }
                  });
        }
      }
      for (int j = 0; j < rule.when().size(); j++) {
        String key = rule.when().get(j).key();
        if (CUSTOM_FORBIDDEN_KEYS.contains(key) || key.startsWith("request.auth.")) {
          sink.error(
              Paths.index(Paths.field(rulePath, "when"), j) + ".key",
              Text.quote(key) + " is currently not supported with CUSTOM action");
        }
      }
    }
  }

  /** The source fields that need mTLS or JWT identity, which CUSTOM cannot see. */
  private static Map<String, List<String>> identityFields(Source s) {
    Map<String, List<String>> fields = new LinkedHashMap<>();
    fields.put("namespaces", s.namespaces());
    fields.put("notNamespaces", s.notNamespaces());
    fields.put("serviceAccounts", s.serviceAccounts());
    fields.put("notServiceAccounts", s.notServiceAccounts());
    fields.put("trustDomains", s.trustDomains());
    fields.put("notTrustDomains", s.notTrustDomains());
    fields.put("principals", s.principals());
    fields.put("notPrincipals", s.notPrincipals());
    fields.put("requestPrincipals", s.requestPrincipals());
    fields.put("notRequestPrincipals", s.notRequestPrincipals());
    return fields;
  }

  private static void checkRule(Rule rule, String path, Action action, FindingSink sink) {
    boolean tcpInFrom = false;
    boolean tcpInTo = false;
    String fromPath = Paths.field(path, "from");
    if (rule.from() != null) {
      if (rule.from().isEmpty()) {
        sink.error(fromPath, "`from` must not be empty");
      }
      if (rule.from().size() > MAX_FROM) {
        sink.error(fromPath, "must have at most " + MAX_FROM + " items");
      }
      for (int j = 0; j < rule.from().size(); j++) {
        Source source = rule.from().get(j);
        checkSource(source, Paths.index(fromPath, j) + ".source", sink);
        tcpInFrom |= hasTcpAttributes(source);
      }
    }
    String toPath = Paths.field(path, "to");
    if (rule.to() != null) {
      if (rule.to().isEmpty()) {
        sink.error(toPath, "`to` must not be empty");
      }
      for (int j = 0; j < rule.to().size(); j++) {
        Operation operation = rule.to().get(j);
        checkOperation(operation, Paths.index(toPath, j) + ".operation", sink);
        tcpInTo |= !operation.ports().isEmpty() || !operation.notPorts().isEmpty();
      }
    }
    for (int k = 0; k < rule.when().size(); k++) {
      checkCondition(rule.when().get(k), Paths.index(Paths.field(path, "when"), k), sink);
    }
    boolean fromExists = rule.from() != null && !rule.from().isEmpty();
    boolean toExists = rule.to() != null && !rule.to().isEmpty();
    if (action == Action.DENY
        && ((fromExists && !toExists && !tcpInFrom) || (toExists && !tcpInTo))) {
      sink.warning(
          path,
          "configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due"
              + " to the use of only HTTP attributes in a DENY rule; it is recommended to"
              + " explicitly specify the port");
    }
  }

  /** Source fields that also apply to plain TCP traffic (istiod's list). */
  private static boolean hasTcpAttributes(Source s) {
    return !s.principals().isEmpty()
        || !s.notPrincipals().isEmpty()
        || !s.ipBlocks().isEmpty()
        || !s.notIpBlocks().isEmpty()
        || !s.namespaces().isEmpty()
        || !s.notNamespaces().isEmpty()
        || !s.remoteIpBlocks().isEmpty()
        || !s.notRemoteIpBlocks().isEmpty()
        || !s.serviceAccounts().isEmpty()
        || !s.notServiceAccounts().isEmpty();
  }

  private static void checkSource(Source s, String path, FindingSink sink) {
    boolean identity =
        !s.principals().isEmpty()
            || !s.notPrincipals().isEmpty()
            || !s.namespaces().isEmpty()
            || !s.notNamespaces().isEmpty();
    boolean accounts = !s.serviceAccounts().isEmpty() || !s.notServiceAccounts().isEmpty();
    if (identity && accounts) {
      sink.error(path, "cannot set serviceAccounts with namespaces or principals");
    }
    if (!identity
        && !accounts
        && s.requestPrincipals().isEmpty()
        && s.notRequestPrincipals().isEmpty()
        && s.ipBlocks().isEmpty()
        && s.notIpBlocks().isEmpty()
        && s.remoteIpBlocks().isEmpty()
        && s.notRemoteIpBlocks().isEmpty()
        && s.trustDomains().isEmpty()
        && s.notTrustDomains().isEmpty()) {
      sink.error(path, "`from.source` must not be empty");
    }
    SecurityValueChecks.checkIps(s.ipBlocks(), Paths.field(path, "ipBlocks"), sink);
    SecurityValueChecks.checkIps(s.notIpBlocks(), Paths.field(path, "notIpBlocks"), sink);
    SecurityValueChecks.checkIps(s.remoteIpBlocks(), Paths.field(path, "remoteIpBlocks"), sink);
    SecurityValueChecks.checkIps(
        s.notRemoteIpBlocks(), Paths.field(path, "notRemoteIpBlocks"), sink);
    SecurityValueChecks.checkNotEmpty(s.principals(), Paths.field(path, "principals"), sink);
    SecurityValueChecks.checkNotEmpty(s.notPrincipals(), Paths.field(path, "notPrincipals"), sink);
    SecurityValueChecks.checkNotEmpty(
        s.requestPrincipals(), Paths.field(path, "requestPrincipals"), sink);
    SecurityValueChecks.checkNotEmpty(
        s.notRequestPrincipals(), Paths.field(path, "notRequestPrincipals"), sink);
    SecurityValueChecks.checkNotEmpty(s.namespaces(), Paths.field(path, "namespaces"), sink);
    SecurityValueChecks.checkNotEmpty(s.notNamespaces(), Paths.field(path, "notNamespaces"), sink);
    SecurityValueChecks.checkServiceAccounts(
        s.serviceAccounts(), Paths.field(path, "serviceAccounts"), sink);
    SecurityValueChecks.checkServiceAccounts(
        s.notServiceAccounts(), Paths.field(path, "notServiceAccounts"), sink);
    SecurityValueChecks.checkTrustDomains(
        s.trustDomains(), Paths.field(path, "trustDomains"), sink);
    SecurityValueChecks.checkTrustDomains(
        s.notTrustDomains(), Paths.field(path, "notTrustDomains"), sink);
  }

  private static void checkOperation(Operation o, String path, FindingSink sink) {
    if (o.hosts().isEmpty()
        && o.notHosts().isEmpty()
        && o.ports().isEmpty()
        && o.notPorts().isEmpty()
        && o.methods().isEmpty()
        && o.notMethods().isEmpty()
        && o.paths().isEmpty()
        && o.notPaths().isEmpty()) {
      sink.error(path, "`to.operation` must not be empty");
    }
    SecurityValueChecks.checkPorts(o.ports(), Paths.field(path, "ports"), sink);
    SecurityValueChecks.checkPorts(o.notPorts(), Paths.field(path, "notPorts"), sink);
    SecurityValueChecks.checkNotEmpty(o.methods(), Paths.field(path, "methods"), sink);
    SecurityValueChecks.checkNotEmpty(o.notMethods(), Paths.field(path, "notMethods"), sink);
    SecurityValueChecks.checkNotEmpty(o.hosts(), Paths.field(path, "hosts"), sink);
    SecurityValueChecks.checkNotEmpty(o.notHosts(), Paths.field(path, "notHosts"), sink);
    if (SecurityValueChecks.checkNotEmpty(o.paths(), Paths.field(path, "paths"), sink)) {
      SecurityValueChecks.checkPathTemplates(o.paths(), Paths.field(path, "paths"), sink);
    }
    if (SecurityValueChecks.checkNotEmpty(o.notPaths(), Paths.field(path, "notPaths"), sink)) {
      SecurityValueChecks.checkPathTemplates(o.notPaths(), Paths.field(path, "notPaths"), sink);
    }
  }

  private static void checkCondition(Condition condition, String path, FindingSink sink) {
    String key = condition.key();
    if (key.isEmpty()) {
      sink.error(Paths.field(path, "key"), "`key` must not be empty");
      return;
    }
    if (condition.values().isEmpty() && condition.notValues().isEmpty()) {
      sink.error(
          path, "at least one of `values` or `notValues` must be set for key " + Text.quote(key));
      return;
    }
    String keyError = SecurityValueChecks.attributeKeyError(key);
    if (keyError != null) {
      sink.error(Paths.field(path, "key"), keyError);
      return;
    }
    SecurityValueChecks.checkAttributeValues(
        key, condition.values(), Paths.field(path, "values"), sink);
    SecurityValueChecks.checkAttributeValues(
        key, condition.notValues(), Paths.field(path, "notValues"), sink);
  }
}
