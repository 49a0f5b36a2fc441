package dev.meshguard.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Warns about a `presence: REQUIRED` rule that shares a token location with a rule of another
 * issuer in the same RequestAuthentication. The other rule's tokens there are always refused: the
 * REQUIRED rule sees a foreign issuer's token, or (when the other rule verified first and removed
 * the header) no token. The REQUIRED rule's own tokens are refused too when the other rule is
 * evaluated first (its issuer sorts first) or still sees the token (`forwardOriginalToken`):
 * `allow_missing` forgives an absent token, not a foreign one (istiod's comment on the
 * translation).
 */
final class PresenceLint {
  private PresenceLint() {}

  /** Whether any rule of {@code authentication} is REQUIRED. */
  static boolean requiresToken(RequestAuthentication authentication) {
    return authentication.jwtRules().stream().anyMatch(JwtRule::required);
  }

  static void lint(RequestAuthentication authentication, FindingSink sink) {
    List<JwtRule> rules = authentication.jwtRules();
    for (int i = 0; i < rules.size(); i++) {
      JwtRule required = rules.get(i);
      if (!required.required() || Text.isNullOrEmpty(required.issuer())) {
        continue;
      }
      Set<String> locations = locations(required);
      for (int j = 0; j < rules.size(); j++) {
        JwtRule other = rules.get(j);
        if (j == i
            || Text.isNullOrEmpty(other.issuer())
            || other.issuer().equals(required.issuer())) {
          continue;
        }
        Set<String> shared = new LinkedHashSet<>(locations(other));
        shared.retainAll(locations);
        if (!shared.isEmpty()) {
          sink.warning(
              Paths.index("spec.jwtRules", i) + ".presence",
              PolicyLinter.PREFIX
                  + "REQUIRED, and jwtRules["
                  + j
                  + "] (issuer "
                  + Text.quote(other.issuer())
                  + ") also reads "
                  + String.join(", ", shared)
                  + ": that rule's tokens there are always refused (401), and depending on issuer"
                  + " order this rule's too; give each rule its own location");
        }
      }
    }
  }

  /** Where a rule reads tokens, as Envoy's extractor keys them. */
  private static Set<String> locations(JwtRule rule) {
    Set<String> out = new LinkedHashSet<>();
    boolean defaults =
        isEmpty(rule.fromHeaders()) && isEmpty(rule.fromParams()) && isEmpty(rule.fromCookies());
    if (defaults) {
      out.add("header `authorization`");
      out.add("parameter `access_token`");
      return out;
    }
    for (JwtHeader header : nullToEmpty(rule.fromHeaders())) {
      if (header.name() != null) {
        out.add("header `" + header.name().toLowerCase(Locale.ROOT) + "`");
      }
    }
    nullToEmpty(rule.fromParams()).forEach(p -> out.add("parameter `" + p + "`"));
    nullToEmpty(rule.fromCookies()).forEach(c -> out.add("cookie `" + c + "`"));
    return out;
  }

  private static boolean isEmpty(List<?> list) {
    return list == null || list.isEmpty();
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? new ArrayList<>() : list;
  }
}
