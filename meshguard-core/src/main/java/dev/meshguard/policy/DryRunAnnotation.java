package dev.meshguard.policy;

import dev.meshguard.policy.AuthorizationPolicy.Action;
import java.util.Optional;
import java.util.Set;

/**
 * The `istio.io/dry-run` annotation. The engine reads it; here we only say when it will be ignored.
 * istiod's webhook refuses these cases; we warn instead, and the policy is enforced.
 */
final class DryRunAnnotation {
  static final String NAME = "istio.io/dry-run";
  private static final String PATH = "metadata.annotations[" + NAME + "]";
  private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
  private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");

  private DryRunAnnotation() {}

  /** Go `strconv.ParseBool`: empty when {@code value} is not one of its twelve spellings. */
  public static Optional<Boolean> parseBool(String value) {
    if (TRUE.contains(value)) {
      return Optional.of(true);
    }
    if (FALSE.contains(value)) {
      return Optional.of(false);
    }
    return Optional.empty();
  }

  static void check(AuthorizationPolicy policy, FindingSink sink) {
    String value = policy.metadata().annotations().get(NAME);
    if (value == null || policy.action() == null) {
      return;
    }
    if (policy.action() != Action.ALLOW && policy.action() != Action.DENY) {
      sink.warning(
          PATH,
          "only supported for ALLOW and DENY policies, found action "
              + policy.action()
              + ": ignored, the policy is enforced");
    } else if (parseBool(value).isEmpty()) {
      sink.warning(
          PATH,
          "invalid value "
              + Text.quote(value)
              + ": expected one of 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False;"
              + " the policy is enforced");
    }
  }

  static void check(RequestAuthentication authentication, FindingSink sink) {
    if (authentication.metadata().annotations().containsKey(NAME)) {
      sink.warning(PATH, "only supported on AuthorizationPolicy: ignored");
    }
  }
}
