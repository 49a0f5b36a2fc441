package dev.meshguard.engine.authz;

import dev.meshguard.engine.Trace;
import dev.meshguard.policy.AuthorizationPolicy.Action;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The rules of a list of policies of one action, and the one question Envoy's RBAC filter asks of
 * them: which matching rule has the lowest RBAC name (`ns[..]-policy[..]-rule[..]`)? Answered two
 * ways with the same rule evaluation ({@link #test}): {@link #first} through the {@link RuleIndex}
 * (the hot path, no text), and {@link #firstExplained} by walking every rule and tracing each.
 */
final class PolicyRules {
  /** A matching rule and its policy. */
  record Match(CompiledPolicy policy, CompiledRule rule) {
    int ruleIndex() {
      return rule.index();
    }

    String rbacName() {
      return policy.rbacName(rule.index());
    }
  }

  /**
   * What a rule whose evaluation throws counts as. Never failing open: it matches when matching
   * denies (DENY, CUSTOM, AUDIT), and does not when matching allows (ALLOW, dry-run too, so the
   * dry-run verdict shows what enforcing would do).
   */
  enum OnError {
    MATCHES,
    DOES_NOT_MATCH;

    static OnError forAction(Action action) {
      return action == Action.ALLOW ? DOES_NOT_MATCH : MATCHES;
    }
  }

  private static final Comparator<Match> RBAC_ORDER = Comparator.comparing(Match::rbacName);

  private final List<CompiledPolicy> policies;
  private final Match[] byOrdinal;
  private final RuleIndex index;

  PolicyRules(List<CompiledPolicy> policies) {
    this.policies = List.copyOf(policies);
    List<Match> all = new ArrayList<>();
    for (CompiledPolicy p : this.policies) {
      for (CompiledRule rule : p.rules()) {
        all.add(new Match(p, rule));
      }
    }
    all.sort(RBAC_ORDER); // stable: equal names keep the policies' order, as the walk does
    this.byOrdinal = all.toArray(new Match[0]);
    List<RuleKeys> keys = new ArrayList<>(byOrdinal.length);
    for (Match m : byOrdinal) {
      keys.add(m.rule().keys());
    }
    this.index = RuleIndex.build(keys);
  }

  boolean isEmpty() {
    return policies.isEmpty();
  }

  List<CompiledPolicy> policies() {
    return policies;
  }

  /** Whether a rule matches, with {@link OnError} for a rule whose evaluation throws. */
  static boolean test(CompiledPolicy policy, CompiledRule rule, AuthzRequest request) {
    try {
      return rule.matches(request);
    } catch (RuntimeException e) {
      return OnError.forAction(policy.action()) == OnError.MATCHES;
    }
  }

  /** The matching rule with the lowest RBAC name, or null: through the index, building no text. */
  Match first(AuthzRequest request) {
    if (byOrdinal.length == 0) {
      return null;
    }
    int ordinal =
        index.first(
            request,
            o -> {
              Match m = byOrdinal[o];
              return test(m.policy(), m.rule(), request);
            });
    return ordinal < 0 ? null : byOrdinal[ordinal];
  }

  /**
   * The same answer as {@link #first}, by evaluating every rule of every policy in order and
   * tracing each (`label` names the step: `DENY`, `dry-run ALLOW`...).
   */
  Match firstExplained(AuthzRequest request, Trace trace, String label) {
    return firstExplained(policies, request, trace, label);
  }

  static Match firstExplained(
      List<CompiledPolicy> policies, AuthzRequest request, Trace trace, String label) {
    Match best = null;
    for (CompiledPolicy p : policies) {
      if (p.rules().isEmpty()) {
        if (trace.on()) {
          trace.add(
              "authz: " + label + " `" + p.qualifiedName() + "` has no rules: matches nothing");
        }
        continue;
      }
      for (CompiledRule rule : p.rules()) {
        boolean matched = test(p, rule, request);
        if (trace.on()) {
          traceRule(trace, label, p, rule, request, matched);
        }
        if (matched) {
          Match m = new Match(p, rule);
          if (best == null || RBAC_ORDER.compare(m, best) < 0) {
            best = m;
          }
        }
      }
    }
    return best;
  }

  private static void traceRule(
      Trace trace,
      String label,
      CompiledPolicy p,
      CompiledRule rule,
      AuthzRequest request,
      boolean matched) {
    String head = "authz: " + label + " `" + p.qualifiedName() + "` rule " + rule.index();
    if (!matched) {
      String miss;
      try {
        miss = rule.firstMismatch(request);
      } catch (RuntimeException e) {
        miss = "evaluation error: " + e;
      }
      trace.add(head + ": no match (" + (miss == null ? "evaluation error" : miss) + ")");
      return;
    }
    trace.add(head + ": matched");
    try {
      for (String why : rule.explainMatch(request)) {
        trace.add("authz:   " + why);
      }
    } catch (RuntimeException e) {
      trace.add("authz:   evaluation error (counts as a match: never fail open): " + e);
    }
  }
}
