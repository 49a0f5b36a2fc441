package dev.meshguard.engine.match;

import static dev.meshguard.engine.match.StringMatch.Kind.GENERIC;
import static dev.meshguard.engine.match.StringMatch.Kind.HEADER;
import static dev.meshguard.engine.match.StringMatch.Kind.HOST;
import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class StringMatchTest {

  @ParameterizedTest(name = "{0} -> {1} `{2}`")
  @CsvSource(
      delimiter = '|',
      value = {
        "abc | EXACT | abc",
        "abc* | PREFIX | abc",
        "*abc | SUFFIX | abc",
        "* | ANY | ''",
        "a*c | EXACT | a*c",
        "*a* | SUFFIX | a*",
        "** | SUFFIX | *",
        "/api/* | PREFIX | /api/",
        "*.example.com | SUFFIX | .example.com",
        "'' | EXACT | ''",
      })
  void shapeFollowsIstiodOrder(String value, StringMatch.Type type, String literal) {
    StringMatch match = StringMatch.of(value, GENERIC);
    assertThat(match.type()).isEqualTo(type);
    assertThat(match.literal()).isEqualTo(literal);
    assertThat(match.value()).isEqualTo(value);
  }

  @ParameterizedTest(name = "{0} ~ `{1}` = {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/admin | /admin | true",
        "/admin | /admin/ | false",
        "/admin | /Admin | false",
        "/admin* | /admin | true",
        "/admin* | /administrator | true",
        "/admin* | /adm | false",
        "*.txt | /a/b.txt | true",
        "*.txt | .txt | true",
        "*.txt | /a/b.TXT | false",
        "a*c | abc | false",
        "a*c | a*c | true",
        "*a* | xa* | true",
        "*a* | xab | false",
        "** | * | true",
        "** | x | false",
        "* | x | true",
        "* | '' | false",
      })
  void genericIsCaseSensitiveAndStarNeedsAValue(String value, String candidate, boolean expected) {
    assertThat(StringMatch.of(value, GENERIC).matches(candidate)).isEqualTo(expected);
  }

  @Test
  void genericStarIsRe2DotPlusWhichStopsAtNewline() {
    StringMatch any = StringMatch.of("*", GENERIC);
    assertThat(any.matches("a\rb")).isTrue();
    assertThat(any.matches("a\nb")).isFalse();
    assertThat(any.matches("\n")).isFalse();
  }

  @ParameterizedTest
  @EnumSource(StringMatch.Kind.class)
  void nullNeverMatches(StringMatch.Kind kind) {
    for (String value : new String[] {"*", "a", "a*", "*a", ""}) {
      assertThat(StringMatch.of(value, kind).matches(null)).isFalse();
    }
  }

  @Test
  void headerStarIsPresenceEvenForAnEmptyValue() {
    StringMatch any = StringMatch.of("*", HEADER);
    assertThat(any.matches("")).isTrue();
    assertThat(any.matches("a\nb")).isTrue();
    assertThat(any.matches(null)).isFalse();
    assertThat(StringMatch.of("GET", HEADER).matches("get")).isFalse();
    assertThat(StringMatch.of("GET", HEADER).matches("GET")).isTrue();
  }

  @ParameterizedTest(name = "{0} ~ `{1}` = {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "secret.com | SECRET.com | true",
        "secret.com | secret.com:80 | false",
        "secret.com | secret.com. | false",
        "secret.com:* | Secret.Com:8080 | true",
        "*.example.com | API.EXAMPLE.COM | true",
        "*.example.com | example.com | false",
        "* | '' | true",
        // only ASCII letters fold: the Kelvin sign is not a k, the dotless i is not an i
        "kube.local | \u212Aube.local | false",
        "io.local | \u0131o.local | false",
        "STRASSE | stra\u00dfe | false",
      })
  void hostIgnoresAsciiCaseOnly(String value, String candidate, boolean expected) {
    assertThat(StringMatch.of(value, HOST).matches(candidate)).isEqualTo(expected);
  }

  @Test
  void describesItself() {
    assertThat(StringMatch.of("/a*", GENERIC)).hasToString("prefix `/a`");
    assertThat(StringMatch.of("*", HEADER)).hasToString("present");
    assertThat(StringMatch.of("*", GENERIC)).hasToString("any non-empty value");
    assertThat(StringMatch.of("x.com", HOST)).hasToString("exact `x.com` (ignoring case)");
    assertThat(StringMatch.of("a", GENERIC)).isEqualTo(StringMatch.of("a", GENERIC));
    assertThat(StringMatch.of("a", GENERIC)).isNotEqualTo(StringMatch.of("a", HOST));
  }

  @Property(tries = 1000)
  void agreesWithTheDefinitions(@ForAll String value, @ForAll String candidate) {
    StringMatch match = StringMatch.of(value, GENERIC);
    boolean expected;
    if (value.equals("*")) {
      expected = !candidate.isEmpty() && !candidate.contains("\n");
    } else if (value.startsWith("*")) {
      expected = candidate.endsWith(value.substring(1));
    } else if (value.endsWith("*")) {
      expected = candidate.startsWith(value.substring(0, value.length() - 1));
    } else {
      expected = candidate.equals(value);
    }
    assertThat(match.matches(candidate)).isEqualTo(expected);
    if (match.type() != StringMatch.Type.ANY) {
      assertThat(match.matches(match.literal())).isTrue();
    }
  }
}
