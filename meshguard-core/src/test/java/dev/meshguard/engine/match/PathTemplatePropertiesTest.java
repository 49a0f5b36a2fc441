package dev.meshguard.engine.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

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
    boolean expected = oracleMatches(template, path);
    // without matches among the random paths, agreement would prove nothing
    Statistics.label("random path matches")
        .collect(expected)
        .coverage(c -> c.check(true).percentage(p -> p >= 2));
    assertThat(PathTemplate.compile(template).matches(path))
        .as("%s ~ %s", template, path)
        .isEqualTo(expected);
  }

  @Property(tries = 3000)
  void agreesWithRegexOracleOnNearPaths(@ForAll("templateAndNearPath") String[] pair) {
    String template = pair[0];
    String path = pair[1];
    boolean expected = oracleMatches(template, path);
    Statistics.label("near path matches")
        .collect(expected)
        .coverage(
            c -> {
              c.check(true).percentage(p -> p >= 40);
              c.check(false).percentage(p -> p >= 5);
            });
    assertThat(PathTemplate.compile(template).matches(path))
        .as("%s ~ %s", template, path)
        .isEqualTo(expected);
  }

  @Property(tries = 2000)
  void agreesWithRegexOracleOnArbitraryText(
      @ForAll("templates") String template, @ForAll String path) {
    // control characters, non-ASCII, `?` and `#` anywhere: never an exception, never a match
    // the regular expression would not make
    assertThat(PathTemplate.compile(template).matches(path))
        .as("%s ~ %s", template, path)
        .isEqualTo(oracleMatches(template, path));
  }

  /**
   * Candidate templates from pieces that make both valid and invalid ones: operators, braces that
   * are not operators, a stray `*`, empty segments, characters no literal may hold.
   */
  @Provide
  Arbitrary<String> candidateTemplates() {
    Arbitrary<String> valid = Arbitraries.of("a", "b.c", "%", "~", "{*}", "{**}");
    Arbitrary<String> invalid =
        Arbitraries.of("{", "}", "*", "", "x y", "é", "{*}.txt", "a{*}", "{***}");
    Arbitrary<String> piece = Arbitraries.frequencyOf(Tuple.of(12, valid), Tuple.of(1, invalid));
    Arbitrary<String> lead =
        Arbitraries.frequency(Tuple.of(10, "/"), Tuple.of(1, "//"), Tuple.of(1, ""));
    Arbitrary<String> trail =
        Arbitraries.frequency(Tuple.of(6, ""), Tuple.of(3, "/"), Tuple.of(1, "//"));
    return Combinators.combine(lead, piece.list().ofMinSize(1).ofMaxSize(4), trail)
        .as((l, pieces, t) -> l + String.join("/", pieces) + t);
  }

  /**
   * Which templates istiod and Envoy accept, written independently of the parser: one leading
   * slash, an optional trailing slash, non-empty segments that are `{*}`, `{**}` or literals of
   * segment characters, at least one operator, and nothing operator after `{**}`.
   */
  private static boolean validTemplate(String value) {
    if (!value.startsWith("/")) {
      return false;
    }
    String body = value.substring(1);
    if (body.endsWith("/")) {
      body = body.substring(0, body.length() - 1);
    }
    boolean sawOperator = false;
    boolean sawAny = false;
    for (String segment : body.split("/", -1)) {
      if (segment.equals("{*}") || segment.equals("{**}")) {
        if (sawAny) {
          return false;
        }
        sawOperator = true;
        sawAny = segment.equals("{**}");
      } else if (segment.isEmpty() || !segment.chars().allMatch(c -> isLiteralChar((char) c))) {
        return false;
      }
    }
    return sawOperator;
  }

  private static boolean isLiteralChar(char c) {
    return c < 0x80 && (Character.isLetterOrDigit(c) || "-._~%!$&'()+,;:@=".indexOf(c) >= 0);
  }

  @Property(tries = 3000)
  void compilesExactlyTheTemplatesIstiodAndEnvoyAccept(@ForAll("candidateTemplates") String value) {
    boolean valid = validTemplate(value);
    Statistics.label("valid")
        .collect(valid)
        .coverage(
            c -> {
              c.check(true).percentage(p -> p >= 10);
              c.check(false).percentage(p -> p >= 10);
            });
    PathTemplate compiled;
    try {
      compiled = PathTemplate.compile(value);
    } catch (IllegalArgumentException e) {
      assertThat(valid).as("`%s` refused: %s", value, e.getMessage()).isFalse();
      assertThat(e.getMessage()).startsWith("invalid path template `" + value + "`: ");
      return;
    }
    assertThat(valid).as("`%s` compiled", value).isTrue();
    assertThat(compiled.value()).isEqualTo(value);
    String near =
        value.replace("{**}", "x/y").replace("{*}", "seg").replace("{", "").replace("}", "");
    assertThat(compiled.matches(near))
        .as("%s ~ %s", value, near)
        .isEqualTo(oracleMatches(value, near));
  }

  @Property(tries = 500)
  void textWithoutAnOperatorIsNeverATemplate(@ForAll String value) {
    Assume.that(!value.contains("{*}") && !value.contains("{**}"));
    assertThatThrownBy(() -> PathTemplate.compile(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid path template `");
  }
}
