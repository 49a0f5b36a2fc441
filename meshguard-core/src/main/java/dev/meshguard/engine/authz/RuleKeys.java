package dev.meshguard.engine.authz;

import dev.meshguard.engine.match.PathTemplate;
import dev.meshguard.engine.match.StringMatch;
import dev.meshguard.policy.AuthorizationPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * What a request must have for a rule to possibly match, read from the rule as written: the rule
 * matches only a path that one of {@link #paths} accepts, and only a token whose issuer and subject
 * are one of {@link #principals}. A null list puts no condition on that attribute. These are
 * necessary conditions only (the rule itself still decides), which is what makes indexing rules by
 * them exact.
 *
 * @param paths the rule's `paths` when every `to` entry has some (the union), else null
 * @param principals the rule's exact `requestPrincipals` when every `from` entry has some and none
 *     has a wildcard, else null
 */
record RuleKeys(List<PathKey> paths, List<PrincipalKey> principals) {
  /** No condition known: the rule is a candidate for every request. */
  static final RuleKeys NONE = new RuleKeys(null, null);

  RuleKeys {
    paths = paths == null ? null : List.copyOf(paths);
    principals = principals == null ? null : List.copyOf(principals);
  }

  /** A path value: exact, prefix or suffix of the normalised path (a template by its prefix). */
  record PathKey(Kind kind, String literal) {
    enum Kind {
      EXACT,
      PREFIX,
      SUFFIX
    }
  }

  /** An exact request principal: `iss` and `sub` as istiod splits the value. */
  record PrincipalKey(String issuer, String subject) {}

  static RuleKeys of(AuthorizationPolicy.Rule rule) {
    return new RuleKeys(paths(rule.to()), principals(rule.from()));
  }

  private static List<PathKey> paths(List<AuthorizationPolicy.Operation> to) {
    if (to == null) {
      return null;
    }
    List<PathKey> keys = new ArrayList<>();
    for (AuthorizationPolicy.Operation operation : to) {
      if (operation.paths().isEmpty()) {
        return null; // this entry matches any path
      }
      for (String value : operation.paths()) {
        PathKey key = pathKey(value);
        if (key == null) {
          return null;
        }
        keys.add(key);
      }
    }
    return keys;
  }

  /** The key of a `paths` value, or null when it can match any path (`*`, `{**}`). */
  private static PathKey pathKey(String value) {
    if (PathTemplate.isTemplate(value)) {
      // A template matches only paths that start with its literal text before the first operator.
      String prefix = PathTemplate.compile(value).literalPrefix();
      return prefix.isEmpty() ? null : new PathKey(PathKey.Kind.PREFIX, prefix);
    }
    StringMatch match = StringMatch.of(value, StringMatch.Kind.GENERIC);
    return switch (match.type()) {
      case ANY -> null;
      case EXACT -> new PathKey(PathKey.Kind.EXACT, match.literal());
      case PREFIX -> new PathKey(PathKey.Kind.PREFIX, match.literal());
      case SUFFIX -> new PathKey(PathKey.Kind.SUFFIX, match.literal());
    };
  }

  private static List<PrincipalKey> principals(List<AuthorizationPolicy.Source> from) {
    if (from == null) {
      return null;
    }
    List<PrincipalKey> keys = new ArrayList<>();
    for (AuthorizationPolicy.Source source : from) {
      if (source.requestPrincipals().isEmpty()) {
        return null;
      }
      for (String value : source.requestPrincipals()) {
        if (value.startsWith("*") || value.endsWith("*")) {
          return null;
        }
        // As PrincipalValues.requestPrincipal splits an exact value.
        int slash = value.lastIndexOf('/');
        keys.add(
            slash >= 0
                ? new PrincipalKey(value.substring(0, slash), value.substring(slash + 1))
                : new PrincipalKey(value, ""));
      }
    }
    return keys;
  }
}
