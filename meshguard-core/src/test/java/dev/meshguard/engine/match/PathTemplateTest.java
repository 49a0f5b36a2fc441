package dev.meshguard.engine.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathTemplateTest {

  /** Spec 8.14: Istio's TestAuthz_PathTemplating policy and requests. */
  private static final List<PathTemplate> ISTIO_POLICY =
      List.of(
          PathTemplate.compile("/allow/admin/{**}"),
          PathTemplate.compile("/foo/{*}/bar/{**}"),
          PathTemplate.compile("/store/{**}/cart"));

  private static boolean anyMatches(String path) {
    return ISTIO_POLICY.stream().anyMatch(t -> t.matches(path));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/allow/admin/",
        "/allow/admin/temp",
        "/allow/admin/foo/temp.txt",
        "/foo/buzz/bar/bat/fuzz.txt",
        "/foo/buzz/bar/bat",
        "/store//cart",
        "/store/foo/bar/cart",
      })
  void specAllowedExamples(String path) {
    assertThat(anyMatches(path)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/allow/admin",
        "/allow/admin?param=value",
        "/foo/bar/bat.txt",
        "/foo//bar/bat.txt",
        "/store/cart",
      })
  void specDeniedExamples(String path) {
    assertThat(anyMatches(path)).isFalse();
  }

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // {*}: one segment, one or more characters
        "/a/{*} | /a/b | true",
        "/a/{*} | /a/ | false",
        "/a/{*} | /a/b/ | false",
        "/a/{*} | /a/b/c | false",
        "/a/{*}/ | /a/b/ | true",
        "/a/{*}/c | /a/b/c | true",
        "/a/{*}/c | /a//c | false",
        "/{*} | /x | true",
        "/{*} | / | false",
        "/{*}/{*} | /x/y | true",
        "/{*}/{*} | /x/y/z | false",
        // allowed segment characters
        "/a/{*} | /a/-._~%!$&'()+,;:@= | true",
        "/a/{*} | /a/b*c | false",
        "/a/{*} | /a/b[c | false",
        "/a/{*} | /a/\u00e9 | false",
        // {**}: zero or more, slashes included
        "/{**} | / | true",
        "/{**} | /a/b/c | true",
        "/{**} | // | true",
        "/a/{**} | /a | false",
        "/a/{**} | /a/ | true",
        "/a/{**}/ | /a/ | false",
        "/a/{**}/ | /a// | true",
        "/a/{**}/ | /a/b/c/ | true",
        "/a/{**}/z | /a/b/c/z | true",
        "/a/{**}/z | /a/z | false",
        "/a/{**}/z | /a/b/c/zz | false",
        "/{*}/{**} | /x/ | true",
        "/{*}/{**} | /x | false",
        // the query and fragment are not part of the match
        "/a/{*} | /a/b?x=1 | true",
        "/a/{*} | /a/b#f | true",
        "/a/{**} | /a/?x/y | true",
        "/a/{*}/c | /a/b?/c | false",
        // literals are literal
        "/a.b/{*} | /aXb/c | false",
        "/a.b/{*} | /a.b/c | true",
        "/a+b/{*} | /a+b/c | true",
        "/v1/{*}/items | /v1/x/items | true",
        "/v1/{*}/items | /V1/x/items | false",
      })
  void matching(String template, String path, boolean expected) {
    assertThat(PathTemplate.compile(template).matches(path)).isEqualTo(expected);
  }

  @Test
  void nullNeverMatches() {
    assertThat(PathTemplate.compile("/{**}").matches(null)).isFalse();
  }

  @Test
  void isTemplate() {
    assertThat(PathTemplate.isTemplate("/a/{*}")).isTrue();
    assertThat(PathTemplate.isTemplate("/a/{**}")).isTrue();
    assertThat(PathTemplate.isTemplate("/a/*")).isFalse();
    assertThat(PathTemplate.isTemplate("/a/{x}")).isFalse();
    assertThat(PathTemplate.isTemplate("/a/{ * }")).isFalse();
    assertThat(PathTemplate.isTemplate(null)).isFalse();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/a/*.txt | contains no `{*}`",
        "/{**}/{*} | `{**}` is not the last operator",
        "/{**}/{**} | `{**}` is not the last operator",
        "/a/{*}.txt | contains `{` or `}` beyond",
        "/a/{x}/{*} | contains `{` or `}` beyond",
        "/a/{*}{*} | contains `{` or `}` beyond",
        "/a/*/{*} | with invalid string literal",
        "/a b/{*} | with invalid string literal",
        "/a/{*}/x?y | with invalid string literal",
        "a/{*} | must start with `/`",
        "//a/{*} | empty segment",
        "/a//{*} | with invalid string literal",
        "/\u00e9/{*} | with invalid string literal",
      })
  void rejectsWhatIstiodOrEnvoyRejects(String template, String message) {
    assertThatThrownBy(() -> PathTemplate.compile(template))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid path template `" + template + "`")
        .hasMessageContaining(message);
  }

  @Test
  void literalAfterMatchAnyIsAllowed() {
    assertThat(PathTemplate.compile("/{**}/a/b").matches("/x/y/a/b")).isTrue();
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void sixtyFourKibPathsFinish() {
    int size = 64 * 1024;
    String[] paths = {
      "/" + "a/".repeat(size / 2),
      "/" + "a".repeat(size),
      "/foo/" + "b".repeat(size) + "/bar/" + "c/".repeat(size / 2) + "x",
      "/store/" + "x/".repeat(size / 2) + "car",
      "/store/" + "/".repeat(size) + "/cart",
      "/allow/admin/" + "%".repeat(size) + "!",
    };
    for (String path : paths) {
      for (PathTemplate template : ISTIO_POLICY) {
        template.matches(path);
      }
    }
    assertThat(
            PathTemplate.compile("/store/{**}/cart")
                .matches("/store/" + "x/".repeat(size) + "cart"))
        .isTrue();
    assertThat(PathTemplate.compile("/{*}/{*}/{*}").matches("/" + "a".repeat(size) + "/b/c"))
        .isTrue();
  }
}
