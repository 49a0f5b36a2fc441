package dev.meshguard.engine.authz;

import dev.meshguard.policy.AuthorizationPolicy.Action;
import java.util.ArrayList;
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
  private final List<CompiledPolicy> deny;
  private final List<CompiledPolicy> allow;

  ShadowRules(List<CompiledPolicy> dryRun) {
    this.deny = dryRun.stream().filter(p -> p.action() == Action.DENY).toList();
    this.allow = dryRun.stream().filter(p -> p.action() == Action.ALLOW).toList();
  }

  /** The DENY filter's shadow engine; null when no dry-run DENY policy applies. */
  ShadowResult denyFilter(AuthzRequest request, List<String> trace) {
    if (deny.isEmpty()) {
      return null;
    }
    Authorizer.Match match = evaluate(deny, request, trace, "deny", "not deny");
    return match == null ? new ShadowResult(null, true) : new ShadowResult(match.rbacName(), false);
  }

  /**
   * The ALLOW filter's shadow engine, combined with the DENY filter's result: null when neither
   * filter has dry-run policies.
   */
  ShadowResult allowFilter(AuthzRequest request, List<String> trace, ShadowResult afterDeny) {
    if (allow.isEmpty() || (afterDeny != null && !afterDeny.allowed())) {
      return afterDeny;
    }
    Authorizer.Match match = evaluate(allow, request, trace, "allow", "not match");
    return match == null ? new ShadowResult(null, false) : new ShadowResult(match.rbacName(), true);
  }

  /** Traces each policy's verdict and returns the match with the lowest RBAC name. */
  private static Authorizer.Match evaluate(
      List<CompiledPolicy> policies,
      AuthzRequest request,
      List<String> trace,
      String matched,
      String unmatched) {
    List<Authorizer.Match> matches = new ArrayList<>();
    for (CompiledPolicy p : policies) {
      Authorizer.Match m =
          Authorizer.firstMatch(List.of(p), request, trace, "dry-run " + p.action());
      trace.add(
          "authz: dry-run "
              + p.action()
              + " policy `"
              + p.qualifiedName()
              + "` would "
              + (m != null ? matched : unmatched)
              + " (not enforced)");
      if (m != null) {
        matches.add(m);
      }
    }
    return matches.stream().min(Authorizer.RBAC_ORDER).orElse(null);
  }
}
