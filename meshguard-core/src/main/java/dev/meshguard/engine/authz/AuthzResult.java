package dev.meshguard.engine.authz;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What authorization decided, kept small: the verdict, the deciding policy and rule, and the
 * dry-run verdict. The readable reason is written only when asked for ({@link #reason()}, also as a
 * {@link Supplier} so a decision can carry it unwritten).
 */
public final class AuthzResult implements Supplier<String> {
  /** How many ALLOW policy names a "no ALLOW policy matched" reason lists. */
  static final int NAMES_LISTED = 5;

  /** The kinds of answer. */
  enum Verdict {
    ALLOWED_BY_POLICY,
    /** No ALLOW policy applies to the workload (and no DENY rule matched). */
    ALLOWED_WITHOUT_ALLOW_POLICIES,
    DENIED_BY_POLICY,
    NO_ALLOW_POLICY_MATCHED,
    /** A CUSTOM rule matched: meshguard calls no external authorizer, so it denies. */
    CUSTOM_DENIED
  }

  private final Verdict verdict;
  private final CompiledPolicy policy;
  private final int rule;
  private final ShadowResult shadow;
  private final Context context;

  /** What the reason texts need from the authorizer; shared by all its results. */
  record Context(
      boolean hasDenyPolicies, List<CompiledPolicy> allowPolicies, Map<String, ?> providers) {}

  AuthzResult(Verdict verdict, PolicyRules.Match match, ShadowResult shadow, Context context) {
    this.verdict = verdict;
    this.policy = match == null ? null : match.policy();
    this.rule = match == null ? -1 : match.ruleIndex();
    this.shadow = shadow;
    this.context = context;
  }

  /** Whether the request may go on. */
  public boolean allowed() {
    return verdict == Verdict.ALLOWED_BY_POLICY
        || verdict == Verdict.ALLOWED_WITHOUT_ALLOW_POLICIES;
  }

  /** True when a CUSTOM policy denied it. */
  public boolean custom() {
    return verdict == Verdict.CUSTOM_DENIED;
  }

  /** `namespace/name` of the deciding policy (the matched DENY, CUSTOM or ALLOW), or null. */
  public String policy() {
    return policy == null ? null : policy.qualifiedName();
  }

  /** The index of the deciding policy's rule that matched, or -1. */
  public int rule() {
    return rule;
  }

  /** What the dry-run policies would have decided, or null when none was evaluated. */
  public ShadowResult shadow() {
    return shadow;
  }

  /** A readable cause, written on each call. */
  public String reason() {
    return switch (verdict) {
      case ALLOWED_BY_POLICY ->
          "allowed by ALLOW policy `" + policy.qualifiedName() + "` rule " + rule;
      case ALLOWED_WITHOUT_ALLOW_POLICIES ->
          context.hasDenyPolicies()
              ? "no DENY rule matched and no ALLOW policy applies: allowed"
              : "no ALLOW policy applies: allowed";
      case DENIED_BY_POLICY ->
          "denied by DENY policy `" + policy.qualifiedName() + "` rule " + rule;
      case NO_ALLOW_POLICY_MATCHED -> "no ALLOW policy matched (ALLOW policies: " + names() + ")";
      case CUSTOM_DENIED ->
          context.providers().containsKey(policy.provider())
              ? "CUSTOM policy `"
                  + policy.qualifiedName()
                  + "` sends this request to ext_authz provider `"
                  + policy.provider()
                  + "`, which was not asked; denied (fail closed)"
              : "CUSTOM policy `"
                  + policy.qualifiedName()
                  + "` names extension provider `"
                  + policy.provider()
                  + "`, which the mesh config does not define; istiod turns its rules into DENY";
    };
  }

  /** The first ALLOW policies' names, and how many more there are (`check --explain` has all). */
  private String names() {
    List<CompiledPolicy> all = context.allowPolicies();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(all.size(), NAMES_LISTED); i++) {
      out.append(i == 0 ? "" : ", ").append('`').append(all.get(i).qualifiedName()).append('`');
    }
    if (all.size() > NAMES_LISTED) {
      out.append(" and ").append(all.size() - NAMES_LISTED).append(" more");
    }
    return out.toString();
  }

  @Override
  public String get() {
    return reason();
  }

  @Override
  public String toString() {
    return "AuthzResult[" + reason() + (shadow == null ? "" : ", " + shadow) + "]";
  }
}
