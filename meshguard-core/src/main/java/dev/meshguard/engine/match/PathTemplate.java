package dev.meshguard.engine.match;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * An Istio path template ({@code paths: ["/foo/{*}/bar/{**}"]}), matched the way Envoy's {@code
 * uri_template} matcher does after istiod rewrites {@code {*}} to {@code *} and {@code {**}} to
 * {@code **}:
 *
 * <ul>
 *   <li>{@code {*}} matches one path segment: one or more of {@code a-z A-Z 0-9 - . _ ~ % ! $ & ' (
 *       ) + , ; : @ =} (no {@code /});
 *   <li>{@code {**}} matches zero or more of the same characters or {@code /};
 *   <li>everything else is literal, and the whole path (query and fragment removed) must match.
 * </ul>
 *
 * <p>So {@code /allow/{**}} does not match {@code /allow} (the slash is literal) and {@code
 * /store/{**}/cart} matches {@code /store//cart} but not {@code /store/cart}.
 *
 * <p>Matching is a single left-to-right pass, linear in the path length, without regular
 * expressions: a {@code {*}} always stops at the next {@code /} (the template grammar puts a slash
 * or the end after it), and {@code {**}} is always the last operator, so its end is fixed by the
 * literal tail.
 *
 * <p>{@link #compile} rejects what istiod's validation rejects ({@code CheckValidPathTemplate}) and
 * what Envoy's template parser would refuse (a config Envoy NACKs never enforces anything).
 */
public final class PathTemplate {

  private static final String MATCH_ONE = "{*}";
  private static final String MATCH_ANY = "{**}";

  private enum Glob {
    /** {@code {*}}: one or more segment characters. */
    SEGMENT,
    /** {@code {**}}: zero or more segment characters or slashes. */
    ANY
  }

  private final String value;
  // The template is literals[0] globs[0] literals[1] ... globs[n-1] literals[n].
  private final String[] literals;
  private final Glob[] globs;

  private PathTemplate(String value, List<String> literals, List<Glob> globs) {
    this.value = value;
    this.literals = literals.toArray(new String[0]);
    this.globs = globs.toArray(new Glob[0]);
  }

  /** True when istiod treats the value as a template: it contains {@code {*}} or {@code {**}}. */
  public static boolean isTemplate(String value) {
    return value != null && (value.contains(MATCH_ONE) || value.contains(MATCH_ANY));
  }

  /**
   * Compiles an Istio path template.
   *
   * @throws IllegalArgumentException when the value is not a template, or istiod or Envoy would
   *     reject it; the message says why
   */
  public static PathTemplate compile(String value) {
    requireNonNull(value, "value");
    if (!isTemplate(value)) {
      throw invalid(value, "contains no `{*}` or `{**}`");
    }
    checkAsIstiodDoes(value);
    return parseAsEnvoyDoes(value);
  }

  /** The template as written in the policy. */
  public String value() {
    return value;
  }

  /**
   * The literal text before the first operator: every path the template matches starts with it
   * (what lets an index look a template up by prefix).
   */
  public String literalPrefix() {
    return literals[0];
  }

  /**
   * Whether the path matches the whole template. Anything from the first {@code ?} or {@code #} is
   * ignored, as Envoy does. Null never matches.
   */
  public boolean matches(String path) {
    if (path == null) {
      return false;
    }
    int end = indexOfQueryOrFragment(path);
    if (!path.startsWith(literals[0]) || literals[0].length() > end) {
      return false;
    }
    int pos = literals[0].length();
    for (int g = 0; g < globs.length; g++) {
      String next = literals[g + 1];
      boolean last = g == globs.length - 1;
      if (globs[g] == Glob.ANY) {
        // Grammar: {**} is the last operator, so `next` is the fixed tail of the path.
        int bodyEnd = end - next.length();
        return bodyEnd >= pos
            && allMatch(path, pos, bodyEnd, true)
            && path.startsWith(next, bodyEnd);
      }
      if (last && !next.isEmpty() && next.charAt(0) != '/') {
        // `{*}.txt`: a suffix ends the template, and the segment runs to the end of the path.
        int bodyEnd = end - next.length();
        return bodyEnd > pos
            && allMatch(path, pos, bodyEnd, false)
            && path.startsWith(next, bodyEnd);
      }
      // The next literal is empty (end of template) or starts with '/', which {*} cannot
      // contain: the segment is the longest run of segment characters.
      int segmentEnd = pos;
      while (segmentEnd < end && isSegmentChar(path.charAt(segmentEnd))) {
        segmentEnd++;
      }
      if (segmentEnd == pos
          || segmentEnd + next.length() > end
          || !path.startsWith(next, segmentEnd)) {
        return false;
      }
      pos = segmentEnd + next.length();
    }
    return pos == end;
  }

  @Override
  public String toString() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PathTemplate other && other.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** RFC 3986 pchar without {@code *}, with {@code %}: Envoy's and Istio's literal alphabet. */
  static boolean isSegmentChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-._~%!$&'()+,;:@=".indexOf(c) >= 0;
  }

  private static boolean allMatch(String s, int from, int to, boolean slashAllowed) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!isSegmentChar(c) && !(slashAllowed && c == '/')) {
        return false;
      }
    }
    return true;
  }

  private static int indexOfQueryOrFragment(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '?' || c == '#') {
        return i;
      }
    }
    return path.length();
  }

  /** istiod's {@code CheckValidPathTemplate}, on the value as written. */
  private static void checkAsIstiodDoes(String value) {
    String trimmed = trimSlashes(value);
    boolean seenMatchAny = false;
    for (String glob : splitOnSlash(trimmed)) {
      if (glob.equals(MATCH_ONE) || glob.equals(MATCH_ANY)) {
        if (seenMatchAny) {
          throw invalid(value, "`{**}` is not the last operator");
        }
        seenMatchAny = glob.equals(MATCH_ANY);
        continue;
      }
      if (glob.indexOf('{') >= 0 || glob.indexOf('}') >= 0) {
        throw invalid(value, "contains `{` or `}` beyond a supported path template");
      }
      if (!isValidLiteral(glob)) {
        throw invalid(value, "contains segment `" + glob + "` with invalid string literal");
      }
    }
  }

  /**
   * Envoy's template grammar, applied to istiod's rewrite ({@code {*}} → {@code *}, {@code {**}} →
   * {@code **}), building the literal/glob sequence.
   */
  private static PathTemplate parseAsEnvoyDoes(String value) {
    String rewritten = value.replace(MATCH_ONE, "*").replace(MATCH_ANY, "**");
    if (rewritten.isEmpty() || rewritten.charAt(0) != '/') {
      throw invalid(value, "must start with `/`");
    }
    for (int i = 0; i < rewritten.length(); i++) {
      char c = rewritten.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw invalid(value, "contains a space, control or non-ascii character");
      }
    }
    List<String> literals = new ArrayList<>();
    List<Glob> globs = new ArrayList<>();
    StringBuilder literal = new StringBuilder("/");
    String rest = rewritten.substring(1);
    boolean firstSegment = true;
    boolean seenAny = false;
    while (!rest.isEmpty()) {
      if (!firstSegment) {
        literal.append('/');
      }
      firstSegment = false;
      boolean isGlob = rest.charAt(0) == '*';
      if (isGlob) {
        if (seenAny) {
          throw invalid(value, "`{**}` is not the last operator");
        }
        Glob glob = rest.startsWith("**") ? Glob.ANY : Glob.SEGMENT;
        seenAny = glob == Glob.ANY;
        literals.add(literal.toString());
        literal.setLength(0);
        globs.add(glob);
        rest = rest.substring(glob == Glob.ANY ? 2 : 1);
      } else {
        int slash = rest.indexOf('/');
        String segment = slash < 0 ? rest : rest.substring(0, slash);
        if (!isValidLiteral(segment)) {
          throw invalid(
              value,
              segment.isEmpty()
                  ? "contains an empty segment (`//`)"
                  : "contains segment `" + segment + "` with invalid string literal");
        }
        literal.append(segment);
        rest = rest.substring(segment.length());
      }
      if (rest.isEmpty()) {
        break;
      }
      if (rest.equals("/")) {
        literal.append('/');
        break;
      }
      if (rest.charAt(0) == '/') {
        rest = rest.substring(1);
        continue;
      }
      // Only possible right after a glob: a suffix such as `{*}.txt` must end the template.
      if (rest.indexOf('/') >= 0 || !isValidLiteral(rest)) {
        throw invalid(value, "text after an operator must be a literal suffix ending the template");
      }
      literal.append(rest);
      break;
    }
    literals.add(literal.toString());
    return new PathTemplate(value, literals, globs);
  }

  private static boolean isValidLiteral(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isSegmentChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static String trimSlashes(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == '/') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == '/') {
      end--;
    }
    return s.substring(start, end);
  }

  private static List<String> splitOnSlash(String s) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    while (true) {
      int slash = s.indexOf('/', start);
      if (slash < 0) {
        parts.add(s.substring(start));
        return parts;
      }
      parts.add(s.substring(start, slash));
      start = slash + 1;
    }
  }

  private static IllegalArgumentException invalid(String value, String why) {
    return new IllegalArgumentException("invalid path template `" + value + "`: " + why);
  }
}
