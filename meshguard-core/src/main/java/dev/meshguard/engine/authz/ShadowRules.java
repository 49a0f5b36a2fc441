package dev.meshguard.engine.authz;

import dev.meshguard.engine.Trace;
import dev.meshguard.policy.AuthorizationPolicy.Action;
import java.util.List;

/**
 * The dry-run ALLOW and DENY policies of a workload. istiod puts them into the `shadow_rules` of
 * the RBAC filter of their action (stat prefixes `istio_dry_run_deny_` and `istio_dry_run_allow_`);
 * Envoy evaluates a filter's shadow rules before its enforced rules, records the result and never
 * enforces it. The DENY filter runs before the ALLOW filter, so the ALLOW shadow rules are not
 * reached when an enforced DENY policy denies the request.
 *
 * <p>meshguard reports one verdict for both filters: denied with the matched rule when a dry-run
 * DENY rule matches; otherwise, when dry-run ALLOW policies exist and were reached, allowed with
 * the matched rule or denied without one; otherwise allowed (no dry-run DENY rule matched).
 */
final class ShadowRules {
  private final PolicyRules deny;
  private final PolicyRules allow;

  ShadowRules(List<CompiledPolicy> dryRun) {
    this.deny = new PolicyRules(dryRun.stream().filter(p -> p.action() == Action.DENY).toList());
    this.allow = new PolicyRules(dryRun.stream().filter(p -> p.action() == Action.ALLOW).toList());
  }

  /** The DENY filter's shadow engine; null when no dry-run DENY policy applies. */
  ShadowResult denyFilter(AuthzRequest request, Trace trace) {
    if (deny.isEmpty()) {
      return null;
    }
    PolicyRules.Match match = evaluate(deny, request, trace, "deny", "not deny");
    return match == null ? new ShadowResult(null, true) : new ShadowResult(match.rbacName(), false);
  }

  /**
   * The ALLOW filter's shadow engine, combined with the DENY filter's result: null when neither
   * filter has dry-run policies.
   */
  ShadowResult allowFilter(AuthzRequest request, Trace trace, ShadowResult afterDeny) {
    if (allow.isEmpty() || (afterDeny != null && !afterDeny.allowed())) {
      return afterDeny;
    }
    PolicyRules.Match match = evaluate(allow, request, trace, "allow", "not match");
    return match == null ? new ShadowResult(null, false) : new ShadowResult(match.rbacName(), true);
  }

  /**
   * The match with the lowest RBAC name: through the index, or, when explaining, by tracing each
   * policy's verdict.
   */
  private static PolicyRules.Match evaluate(
      PolicyRules rules, AuthzRequest request, Trace trace, String matched, String unmatched) {
    if (!trace.on()) {
      return rules.first(request);
    }
    PolicyRules.Match best = null;
    for (CompiledPolicy p : rules.policies()) {
      PolicyRules.Match m =
          PolicyRules.firstExplained(List.of(p), request, trace, "dry-run " + p.action());
      trace.add(
          "authz: dry-run "
              + p.action()
              + " policy `"
              + p.qualifiedName()
              + "` would "
              + (m != null ? matched : unmatched)
              + " (not enforced)");
      if (m != null && (best == null || m.rbacName().compareTo(best.rbacName()) < 0)) {
        best = m;
      }
    }
    return best;
  }
}
