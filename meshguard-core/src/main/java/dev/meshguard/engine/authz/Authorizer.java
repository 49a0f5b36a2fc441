package dev.meshguard.engine.authz;

import dev.meshguard.engine.Trace;
import dev.meshguard.policy.AuthorizationPolicy.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Istio's authorization order for HTTP: CUSTOM (before JWT), then AUDIT (never denies), DENY,
 * ALLOW. Dry-run ALLOW/DENY policies are evaluated and reported but not enforced.
 *
 * <p>Deciding ({@link Trace#OFF}) looks rules up in each action's {@link RuleIndex} and builds no
 * text; AUDIT, which changes no answer, is then not evaluated at all. Explaining walks every rule
 * of every policy and traces each; both use the same rule evaluation, and the property tests hold
 * them to the same answers.
 */
public final class Authorizer {
  private final PolicyRules custom;
  private final PolicyRules audit;
  private final PolicyRules deny;
  private final PolicyRules allow;
  private final List<CompiledPolicy> dryRun;
  private final ShadowRules shadowRules;
  private final AuthzResult.Context context;
  private final AuthzResult allowedWithoutAllowPolicies;

  public Authorizer(List<CompiledPolicy> policies, Map<String, ?> extensionProviders) {
    this.custom = new PolicyRules(byAction(policies, Action.CUSTOM));
    this.audit = new PolicyRules(byAction(policies, Action.AUDIT));
    this.deny = new PolicyRules(byAction(policies, Action.DENY));
    this.allow = new PolicyRules(byAction(policies, Action.ALLOW));
    List<CompiledPolicy> shadow = new ArrayList<>();
    for (CompiledPolicy p : policies) {
      if (p.dryRun() && (p.action() == Action.ALLOW || p.action() == Action.DENY)) {
        shadow.add(p);
      }
    }
    this.dryRun = List.copyOf(shadow);
    this.shadowRules = new ShadowRules(dryRun);
    this.context =
        new AuthzResult.Context(!deny.isEmpty(), allow.policies(), Map.copyOf(extensionProviders));
    this.allowedWithoutAllowPolicies =
        new AuthzResult(AuthzResult.Verdict.ALLOWED_WITHOUT_ALLOW_POLICIES, null, null, context);
  }

  /** Enforced policies of one action (CUSTOM and AUDIT are never dry-run). */
  private static List<CompiledPolicy> byAction(List<CompiledPolicy> policies, Action action) {
    return policies.stream()
        .filter(p -> p.action() == action)
        .filter(p -> action == Action.CUSTOM || action == Action.AUDIT || !p.dryRun())
        .toList();
  }

  public List<CompiledPolicy> policies(Action action) {
    return switch (action) {
      case CUSTOM -> custom.policies();
      case AUDIT -> audit.policies();
      case DENY -> deny.policies();
      case ALLOW -> allow.policies();
    };
  }

  public List<CompiledPolicy> dryRunPolicies() {
    return dryRun;
  }

  /**
   * The CUSTOM step, which Envoy runs before JWT authentication: a matching CUSTOM rule sends the
   * request to an external authorizer, whose answer {@code Engine} applies; without one a match
   * denies (fail closed) with the reason given here. Returns null when no CUSTOM rule matches.
   */
  public AuthzResult checkCustom(AuthzRequest request, Trace trace) {
    if (custom.isEmpty()) {
      return null;
    }
    PolicyRules.Match match = first(custom, request, trace, "CUSTOM");
    if (match == null) {
      return null;
    }
    AuthzResult result = new AuthzResult(AuthzResult.Verdict.CUSTOM_DENIED, match, null, context);
    if (trace.on()) {
      trace.add("authz: " + result.reason());
    }
    return result;
  }

  /** The provider named by the CUSTOM policy {@code qualifiedName}, or null. */
  public String customProvider(String qualifiedName) {
    for (CompiledPolicy p : custom.policies()) {
      if (p.qualifiedName().equals(qualifiedName)) {
        return p.provider();
      }
    }
    return null;
  }

  /** AUDIT, DENY and ALLOW, in that order, after JWT authentication. */
  public AuthzResult authorize(AuthzRequest request, Trace trace) {
    if (trace.on()) {
      PolicyRules.Match audited = audit.firstExplained(request, trace, "AUDIT");
      if (audited != null) {
        trace.add(
            "authz: AUDIT policy `" + audited.policy().qualifiedName() + "` marks this request");
      }
    }
    // Envoy's DENY filter evaluates its shadow (dry-run) rules before its enforced rules.
    ShadowResult shadow = shadowRules.denyFilter(request, trace);
    PolicyRules.Match denied = first(deny, request, trace, "DENY");
    if (denied != null) {
      return new AuthzResult(AuthzResult.Verdict.DENIED_BY_POLICY, denied, shadow, context);
    }
    shadow = shadowRules.allowFilter(request, trace, shadow);
    if (allow.isEmpty()) {
      return shadow == null
          ? allowedWithoutAllowPolicies
          : new AuthzResult(
              AuthzResult.Verdict.ALLOWED_WITHOUT_ALLOW_POLICIES, null, shadow, context);
    }
    PolicyRules.Match allowed = first(allow, request, trace, "ALLOW");
    return new AuthzResult(
        allowed != null
            ? AuthzResult.Verdict.ALLOWED_BY_POLICY
            : AuthzResult.Verdict.NO_ALLOW_POLICY_MATCHED,
        allowed,
        shadow,
        context);
  }

  /**
   * The result of walking every rule without the index (and without a trace): what the property
   * tests compare {@link #authorize} with.
   */
  AuthzResult authorizeLinearly(AuthzRequest request) {
    return authorize(request, Trace.recording());
  }

  private static PolicyRules.Match first(
      PolicyRules rules, AuthzRequest request, Trace trace, String label) {
    return trace.on() ? rules.firstExplained(request, trace, label) : rules.first(request);
  }
}
