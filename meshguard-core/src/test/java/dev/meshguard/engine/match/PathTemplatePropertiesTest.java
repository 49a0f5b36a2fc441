package dev.meshguard.engine.match;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The linear matcher agrees with a slow, independent oracle: the regular expression Envoy builds
 * from the template (literals quoted, {@code {*}} and {@code {**}} as character classes), run with
 * java.util.regex on short inputs.
 */
class PathTemplatePropertiesTest {

  private static final String CHARS = "a-zA-Z0-9\\-._~%!$&'()+,;:@=";

  private static Pattern oracle(String template) {
    StringBuilder regex = new StringBuilder();
    String rest = template;
    while (!rest.isEmpty()) {
      if (rest.startsWith("{**}")) {
        regex.append('[').append(CHARS).append("/]*");
        rest = rest.substring(4);
      } else if (rest.startsWith("{*}")) {
        regex.append('[').append(CHARS).append("]+");
        rest = rest.substring(3);
      } else {
        regex.append(Pattern.quote(rest.substring(0, 1)));
        rest = rest.substring(1);
      }
    }
    return Pattern.compile(regex.toString());
  }

  private static boolean oracleMatches(String template, String path) {
    int cut = path.length();
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '?' || path.charAt(i) == '#') {
        cut = i;
        break;
      }
    }
    return oracle(template).matcher(path.substring(0, cut)).matches();
  }

  @Provide
  Arbitrary<String> templates() {
    Arbitrary<String> literal = Arbitraries.of("a", "b", "ab", "x.y", "c%", "~", "=");
    Arbitrary<List<String>> head =
        Arbitraries.oneOf(literal, Arbitraries.just("{*}")).list().ofMinSize(0).ofMaxSize(4);
    Arbitrary<List<String>> tail = literal.list().ofMaxSize(2);
    Arbitrary<Boolean> withAny = Arbitraries.of(true, false);
    Arbitrary<Boolean> trailingSlash = Arbitraries.of(true, false);
    return Combinators.combine(head, withAny, tail, trailingSlash)
        .as(
            (h, any, t, slash) -> {
              List<String> segments = new ArrayList<>(h);
              if (any) {
                segments.add("{**}");
                segments.addAll(t);
              }
              if (!segments.contains("{*}") && !segments.contains("{**}")) {
                segments.add("{*}");
              }
              return "/" + String.join("/", segments) + (slash ? "/" : "");
            });
  }

  @Provide
  Arbitrary<String> paths() {
    return Arbitraries.strings().withChars("ab/.x%~=*?#y").ofMaxLength(14).map(s -> "/" + s);
  }

  /** Paths shaped like the template: each glob replaced by random segment text. */
  @Provide
  Arbitrary<String[]> templateAndNearPath() {
    Arbitrary<String> filler = Arbitraries.strings().withChars("ab/.x%").ofMaxLength(5);
    return Combinators.combine(templates(), filler, filler, filler)
        .as(
            (template, f1, f2, f3) -> {
              String path =
                  template
                      .replaceFirst("\\{\\*\\*\\}", f1.isEmpty() ? "" : f1)
                      .replaceFirst("\\{\\*\\}", f2.isEmpty() ? "q" : f2)
                      .replace("{*}", f3.isEmpty() ? "r" : f3);
              return new String[] {template, path};
            });
  }

  @Property(tries = 3000)
  void agreesWithRegexOracleOnRandomPaths(
      @ForAll("templates") String template, @ForAll("paths") String path) {
    assertThat(PathTemplate.compile(template).matches(path))
        .as("%s ~ %s", template, path)
        .isEqualTo(oracleMatches(template, path));
  }

  @Property(tries = 3000)
  void agreesWithRegexOracleOnNearPaths(@ForAll("templateAndNearPath") String[] pair) {
    String template = pair[0];
    String path = pair[1];
    assertThat(PathTemplate.compile(template).matches(path))
        .as("%s ~ %s", template, path)
        .isEqualTo(oracleMatches(template, path));
  }

  @Property(tries = 2000)
  void neverThrowsOnArbitraryText(@ForAll("templates") String template, @ForAll String path) {
    PathTemplate.compile(template).matches(path);
  }

  @Property(tries = 2000)
  void compileEitherSucceedsOrSaysWhy(@ForAll String value) {
    try {
      PathTemplate.compile(value);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("invalid path template `");
    }
  }
}
