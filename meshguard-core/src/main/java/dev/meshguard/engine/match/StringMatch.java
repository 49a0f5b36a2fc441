package dev.meshguard.engine.match;

import static java.util.Objects.requireNonNull;

/**
 * Istio's value matching for policy strings: {@code abc} exact, {@code abc*} prefix, {@code *abc}
 * suffix, {@code *} any; a {@code *} anywhere else is a literal character. The checks run in
 * istiod's order ({@code matcher.StringMatcherWithPrefix}, {@code HeaderMatcher}): a value equal to
 * {@code *} first, then a leading {@code *}, then a trailing one, so {@code *a*} is "ends with
 * {@code a*}" and {@code **} is "ends with {@code *}".
 *
 * <p>The {@link Kind} decides the two things that differ between fields: what a lone {@code *}
 * matches, and letter case.
 */
public final class StringMatch {

  /** Where the value comes from, which decides how {@code *} and case behave. */
  public enum Kind {
    /**
     * Paths, claims, audiences, presenters, SNI: {@code *} is Envoy regex {@code .+}, so it needs a
     * non-empty value, and (RE2 without dot-matches-newline) one without {@code \n}.
     * Case-sensitive.
     */
    GENERIC(false, false),
    /**
     * {@code methods} and {@code request.headers[...]}: {@code *} is a presence match, true for any
     * value including the empty one. Case-sensitive.
     */
    HEADER(true, false),
    /**
     * {@code hosts}: as HEADER, but exact, prefix and suffix ignore ASCII letter case (Envoy's
     * {@code ignore_case}; no Unicode folding, so {@code K} (U+212A) is not {@code k}).
     */
    HOST(true, true);

    private final boolean starMatchesEmpty;
    private final boolean ignoreCase;

    Kind(boolean starMatchesEmpty, boolean ignoreCase) {
      this.starMatchesEmpty = starMatchesEmpty;
      this.ignoreCase = ignoreCase;
    }

    public boolean starMatchesEmpty() {
      return starMatchesEmpty;
    }

    public boolean ignoreCase() {
      return ignoreCase;
    }
  }

  /** The shape of the value. */
  public enum Type {
    EXACT,
    PREFIX,
    SUFFIX,
    ANY
  }

  private final String value;
  private final Kind kind;
  private final Type type;
  private final String literal;

  private StringMatch(String value, Kind kind, Type type, String literal) {
    this.value = value;
    this.kind = kind;
    this.type = type;
    this.literal = literal;
  }

  /** Compiles a policy value. */
  public static StringMatch of(String value, Kind kind) {
    requireNonNull(value, "value");
    requireNonNull(kind, "kind");
    if (value.equals("*")) {
      return new StringMatch(value, kind, Type.ANY, "");
    }
    if (value.startsWith("*")) {
      return new StringMatch(value, kind, Type.SUFFIX, value.substring(1));
    }
    if (value.endsWith("*")) {
      return new StringMatch(value, kind, Type.PREFIX, value.substring(0, value.length() - 1));
    }
    return new StringMatch(value, kind, Type.EXACT, value);
  }

  /** Whether the request value matches; a missing value (null) never does. */
  public boolean matches(String candidate) {
    if (candidate == null) {
      return false;
    }
    return switch (type) {
      case ANY -> kind.starMatchesEmpty || (!candidate.isEmpty() && candidate.indexOf('\n') < 0);
      case EXACT -> candidate.length() == literal.length() && regionMatches(candidate, 0);
      case PREFIX -> candidate.length() >= literal.length() && regionMatches(candidate, 0);
      case SUFFIX ->
          candidate.length() >= literal.length()
              && regionMatches(candidate, candidate.length() - literal.length());
    };
  }

  private boolean regionMatches(String candidate, int offset) {
    if (!kind.ignoreCase) {
      return candidate.startsWith(literal, offset);
    }
    for (int i = 0; i < literal.length(); i++) {
      if (toAsciiLower(candidate.charAt(offset + i)) != toAsciiLower(literal.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static char toAsciiLower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  /** The value as written in the policy. */
  public String value() {
    return value;
  }

  public Kind kind() {
    return kind;
  }

  public Type type() {
    return type;
  }

  /** The text compared: the value without its leading or trailing {@code *}; empty for ANY. */
  public String literal() {
    return literal;
  }

  @Override
  public String toString() {
    return switch (type) {
          case ANY -> kind.starMatchesEmpty ? "present" : "any non-empty value";
          case EXACT -> "exact `" + literal + "`";
          case PREFIX -> "prefix `" + literal + "`";
          case SUFFIX -> "suffix `" + literal + "`";
        }
        + (kind.ignoreCase && type != Type.ANY ? " (ignoring case)" : "");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StringMatch other && other.value.equals(value) && other.kind == kind;
  }

  @Override
  public int hashCode() {
    return value.hashCode() * 31 + kind.hashCode();
  }
}
