package dev.meshguard.engine.authz;

import dev.meshguard.policy.AuthorizationPolicy.Action;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Istio's authorization order for HTTP: CUSTOM (before JWT), then AUDIT (never denies), DENY,
 * ALLOW. Dry-run ALLOW/DENY policies are evaluated and reported but not enforced.
 */
public final class Authorizer {
  private final List<CompiledPolicy> custom;
  private final List<CompiledPolicy> audit;
  private final List<CompiledPolicy> deny;
  private final List<CompiledPolicy> allow;
  private final List<CompiledPolicy> dryRun;
  private final ShadowRules shadowRules;
  private final Map<String, ?> extensionProviders;

  public Authorizer(List<CompiledPolicy> policies, Map<String, ?> extensionProviders) {
    this.custom = byAction(policies, Action.CUSTOM, false);
    this.audit = byAction(policies, Action.AUDIT, false);
    this.deny = byAction(policies, Action.DENY, false);
    this.allow = byAction(policies, Action.ALLOW, false);
    List<CompiledPolicy> shadow = new ArrayList<>();
    for (CompiledPolicy p : policies) {
      if (p.dryRun() && (p.action() == Action.ALLOW || p.action() == Action.DENY)) {
        shadow.add(p);
      }
    }
    this.dryRun = List.copyOf(shadow);
    this.shadowRules = new ShadowRules(dryRun);
    this.extensionProviders = Map.copyOf(extensionProviders);
  }

  private static List<CompiledPolicy> byAction(
      List<CompiledPolicy> policies, Action action, boolean dryRun) {
    return policies.stream()
        .filter(p -> p.action() == action)
        .filter(p -> action == Action.CUSTOM || action == Action.AUDIT || p.dryRun() == dryRun)
        .toList();
  }

  public List<CompiledPolicy> policies(Action action) {
    return switch (action) {
      case CUSTOM -> custom;
      case AUDIT -> audit;
      case DENY -> deny;
      case ALLOW -> allow;
    };
  }

  public List<CompiledPolicy> dryRunPolicies() {
    return dryRun;
  }

  /**
   * The CUSTOM step, which Envoy runs before JWT authentication: a matching CUSTOM rule sends the
   * request to an external authorizer. meshguard has no ext_authz client here, so a match denies
   * (fail closed) and says why. Returns null when no CUSTOM rule matches.
   */
  public AuthzResult checkCustom(AuthzRequest request) {
    if (custom.isEmpty()) {
      return null;
    }
    List<String> trace = new ArrayList<>();
    Match match = firstMatch(custom, request, trace, "CUSTOM");
    if (match == null) {
      return null;
    }
    CompiledPolicy p = match.policy;
    String reason =
        extensionProviders.containsKey(p.provider())
            ? "CUSTOM policy `"
                + p.qualifiedName()
                + "` sends this request to ext_authz provider `"
                + p.provider()
                + "`, which meshguard cannot call; denied (fail closed)"
            : "CUSTOM policy `"
                + p.qualifiedName()
                + "` names extension provider `"
                + p.provider()
                + "`, which the mesh config does not define; istiod turns its rules into DENY";
    trace.add("authz: " + reason);
    return new AuthzResult(false, true, p.qualifiedName(), reason, trace);
  }

  /** AUDIT, DENY and ALLOW, in that order, after JWT authentication. */
  public AuthzResult authorize(AuthzRequest request) {
    List<String> trace = new ArrayList<>();
    Match audited = firstMatch(audit, request, trace, "AUDIT");
    if (audited != null) {
      trace.add("authz: AUDIT policy `" + audited.policy.qualifiedName() + "` marks this request");
    }
    // Envoy's DENY filter evaluates its shadow (dry-run) rules before its enforced rules.
    ShadowResult shadow = shadowRules.denyFilter(request, trace);
    Match denied = firstMatch(deny, request, trace, "DENY");
    if (denied != null) {
      String reason =
          "denied by DENY policy `" + denied.policy.qualifiedName() + "` rule " + denied.ruleIndex;
      return new AuthzResult(false, false, denied.policy.qualifiedName(), reason, trace, shadow);
    }
    shadow = shadowRules.allowFilter(request, trace, shadow);
    if (allow.isEmpty()) {
      String reason =
          deny.isEmpty()
              ? "no ALLOW policy applies: allowed"
              : "no DENY rule matched and no ALLOW policy applies: allowed";
      return new AuthzResult(true, false, null, reason, trace, shadow);
    }
    Match allowed = firstMatch(allow, request, trace, "ALLOW");
    if (allowed != null) {
      String reason =
          "allowed by ALLOW policy `"
              + allowed.policy.qualifiedName()
              + "` rule "
              + allowed.ruleIndex;
      return new AuthzResult(true, false, allowed.policy.qualifiedName(), reason, trace, shadow);
    }
    StringBuilder names = new StringBuilder();
    for (CompiledPolicy p : allow) {
      names
          .append(names.length() == 0 ? "" : ", ")
          .append('`')
          .append(p.qualifiedName())
          .append('`');
    }
    return new AuthzResult(
        false,
        false,
        null,
        "no ALLOW policy matched (ALLOW policies: " + names + ")",
        trace,
        shadow);
  }

  record Match(CompiledPolicy policy, int ruleIndex, String rbacName) {}

  /** Evaluates every rule (for the trace) and returns the match with the lowest RBAC name. */
  static Match firstMatch(
      List<CompiledPolicy> policies, AuthzRequest request, List<String> trace, String label) {
    Match best = null;
    for (CompiledPolicy p : policies) {
      if (p.rules().isEmpty()) {
        trace.add("authz: " + label + " `" + p.qualifiedName() + "` has no rules: matches nothing");
        continue;
      }
      for (CompiledRule rule : p.rules()) {
        String miss;
        try {
          miss = rule.firstMismatch(request);
        } catch (RuntimeException e) {
          // An evaluation error must not fail open: treat it as a match for DENY-like actions
          // and as no match for ALLOW.
          miss = label.equals("ALLOW") ? "evaluation error: " + e : null;
        }
        trace.add(
            "authz: "
                + label
                + " `"
                + p.qualifiedName()
                + "` rule "
                + rule.index()
                + (miss == null ? ": matched" : ": no match (" + miss + ")"));
        if (miss == null) {
          for (String why : rule.explainMatch(request)) {
            trace.add("authz:   " + why);
          }
        }
        if (miss == null) {
          Match m = new Match(p, rule.index(), p.rbacName(rule.index()));
          if (best == null || RBAC_ORDER.compare(m, best) < 0) {
            best = m;
          }
        }
      }
    }
    return best;
  }

  static final Comparator<Match> RBAC_ORDER = Comparator.comparing(Match::rbacName);
}
