package dev.meshguard.engine.match;

import static dev.meshguard.engine.PathNormalization.BASE;
import static dev.meshguard.engine.PathNormalization.DECODE_AND_MERGE_SLASHES;
import static dev.meshguard.engine.PathNormalization.MERGE_SLASHES;
import static dev.meshguard.engine.PathNormalization.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.PathNormalization;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Vectors from spec 9.2/9.3, from Envoy's path_utility tests (restated here as our own table) and
 * from Istio's normalization integration test. Backslashes are written as `\\` in Java literals.
 */
class PathNormalizerTest {

  // --- Envoy PathUtil::canonicalPath (normalize_path) ---

  @ParameterizedTest(name = "canonical {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // already canonical
        "/xyz | /xyz",
        "/x/y/z | /x/y/z",
        // parent and current directory
        "/a/b/../c | /a/c",
        "/a/b/./c | /a/b/c",
        "a/b/../c | /a/c",
        "/a/b/../../../../c | /c",
        "/../a/b | /a/b",
        "/./a/b | /a/b",
        ".. | /",
        // backslash is a separator
        "/a/..\\c | /c",
        // escapes: reserved and non-ASCII stay encoded, case kept
        "/%c0%af | /%c0%af",
        "/%5c%25 | /%5c%25",
        "/a/%2F%2f/c | /a/%2F%2f/c",
        // encoded dots
        "/a/b/%2E%2E/c | /a/c",
        "/a/b/%2e%2e/c | /a/c",
        "/a/b/%2E./c | /a/c",
        "/a/b/%2E/c | /a/b/c",
        // no case folding
        "/A/B/C | /A/B/C",
      })
  void canonicalPathMatchesEnvoy(String in, String expected) {
    assertThat(PathNormalizer.canonicalPath(in)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/xyz/.%00../abc", "/xyz/%00.%00./abc", "/xyz/AAAAA%%0000/abc", "/a%00"})
  void canonicalPathRejectsEncodedNul(String in) {
    assertThat(PathNormalizer.canonicalPath(in)).isNull();
  }

  @ParameterizedTest(name = "canonical {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // decoded: - . 0-9 A-Z _ a-z ~ (any hex case)
        "/%2d%2D%5f%5F%7e%7E | /--__~~",
        "/%30%39%41%5a%61%7A | /09AZaz",
        // kept: everything else, with the hex case it came with
        "/%21%2a%2F%3a%40%5b%5C%25%7f%80%fF | /%21%2a%2F%3a%40%5b%5C%25%7f%80%fF",
        // %2e is always decoded, also inside a name; dot names are kept
        "/a%2eb | /a.b",
        "/.../x | /.../x",
        "/..a/b | /..a/b",
        "/a/..b | /a/..b",
        // a trailing dot segment keeps the directory slash
        "/a/b/. | /a/b/",
        "/a/b/.. | /a/",
        "/a/b/%2e | /a/b/",
        // empty input and a lone slash
        " | /",
        "/ | /",
        // stray percent signs are kept
        "/% | /%",
        "/%2 | /%2",
        "/%zz | /%zz",
        "/%%2f | /%%2f",
        // a stray % that decoding would complete becomes %25 (no double decoding later)
        "/%%30%30 | /%2500",
        "/%%30 | /%0",
        "/%%300 | /%2500",
        "/%%34%31 | /%2541",
        "/%4%31 | /%2541",
      })
  void canonicalPathDetails(String in, String expected) {
    assertThat(PathNormalizer.canonicalPath(in == null ? "" : in)).isEqualTo(expected);
  }

  @Test
  void charactersAPathMayNotHoldAreEscapedInUpperCase() {
    assertThat(PathNormalizer.canonicalPath("/a\"b<c>d^e`f{g|h}i"))
        .isEqualTo("/a%22b%3Cc%3Ed%5Ee%60f%7Bg%7Ch%7Di");
    assertThat(PathNormalizer.canonicalPath("/\u00e9/\u20ac/\uD83D\uDE00"))
        .isEqualTo("/%C3%A9/%E2%82%AC/%F0%9F%98%80");
    assertThat(PathNormalizer.canonicalPath("/a\u0001b")).isEqualTo("/a%01b");
  }

  @Test
  void subDelimitersColonAndAtStayAsTheyAre() {
    assertThat(PathNormalizer.canonicalPath("/!$&'()*+,;=:@[]")).isEqualTo("/!$&'()*+,;=:@[]");
  }

  @Test
  void loneSurrogateIsRejected() {
    assertThat(PathNormalizer.canonicalPath("/a\uD800b")).isNull();
  }

  // --- Envoy PathUtil::mergeSlashes ---

  @ParameterizedTest(name = "merge {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a//b/c | a/b/c",
        "/a//b/c/ | /a/b/c/",
        "a//b/c/ | a/b/c/",
        "/a | /a",
        "//a/b/c | /a/b/c",
        "/a//b/c | /a/b/c",
        "/a/b/c// | /a/b/c/",
        "/a///b/c | /a/b/c",
        "/a////b/c | /a/b/c",
        "//a/ | /a/",
        // Envoy quirk: nothing but slashes gives two
        "// | //",
        "/// | //",
        "/ | /",
      })
  void mergeSlashesMatchesEnvoy(String in, String expected) {
    assertThat(PathNormalizer.mergeSlashes(in)).isEqualTo(expected);
  }

  @Test
  void mergeSlashesOfEmpty() {
    assertThat(PathNormalizer.mergeSlashes("")).isEmpty();
  }

  // --- Envoy PathUtil::unescapeSlashes ---

  @ParameterizedTest(name = "unescape {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "%2f%2F | //",
        "/a%2Fb%2fc/ | /a/b/c/",
        "%2b | %2b",
        "/a/b/c | /a/b/c",
        "%2 | %2",
        "% | %",
        "/abc%2 | /abc%2",
        "foo% | foo%",
        "/a%2F | /a/",
        "%2fa/ | /a/",
        "%%2fa/ | %/a/",
        "%2%2fa/ | %2/a/",
        "%5c%5C | \\\\",
        "/a%5Cb%5cc/ | /a\\b\\c/",
        "/a%5C | /a\\",
        "%5ca/ | \\a/",
        "/x/%2E%2e/z%2f%2Fabc%5C../def | /x/%2E%2e/z//abc\\../def",
        "%2fa%5Cb%2fc%5c | /a\\b/c\\",
        "%252f | %252f",
      })
  void unescapeSlashesMatchesEnvoy(String in, String expected) {
    assertThat(PathNormalizer.unescapeSlashes(in)).isEqualTo(expected);
  }

  @Test
  void decodeModeLeavesTheQueryAlone() {
    NormalizedPath result =
        PathNormalizer.normalize("/%2fa%5Cb%2fc%5c?%2fabcd%5C%%2f%", DECODE_AND_MERGE_SLASHES);
    assertThat(result.path()).isEqualTo("/a/b/c/");
    assertThat(result.query()).isEqualTo("%2fabcd%5C%%2f%");
  }

  // --- Envoy PathUtil::stripParametersFromDotSegments (CVE-2026-73551) ---

  @ParameterizedTest(name = "strip {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/xyz | /xyz",
        "/xyz/..;foo=bar/abc | /xyz/../abc",
        "/..;foo=bar/abc | /../abc",
        "/xyz/..;foo=bar | /xyz/..",
        "/xyz/..; | /xyz/..",
        "/a/..;foo/b/..;bar/c | /a/../b/../c",
        "/a/..;param1;param2/b | /a/../b",
        "/xyz/..foo | /xyz/..foo",
        "/xyz/...;foo | /xyz/...;foo",
        "/xyz/.;foo=bar/abc | /xyz/./abc",
        "/.;foo=bar/abc | /./abc",
        "/xyz/.;foo=bar | /xyz/.",
        "/xyz/.; | /xyz/.",
        "/a/.;foo/b/.;bar/c | /a/./b/./c",
        "/xyz/.foo | /xyz/.foo",
        "/a/%2e%2e;x/b | /a/%2e%2e;x/b",
      })
  void stripDotSegmentParametersMatchesEnvoy(String in, String expected) {
    assertThat(PathNormalizer.stripDotSegmentParameters(in)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "normalize {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/xyz/..;foo=bar/abc | /abc",
        "/..;foo=bar/abc | /abc",
        "/xyz/..;foo=bar | /",
        "/xyz/.;foo=bar/abc | /xyz/abc",
        "/.;foo=bar/abc | /abc",
        "/xyz/.;foo=bar | /xyz/",
        "/xyz/..;foo=bar/.;v1=2,v2=3/abc | /abc",
        "/..;foo=bar/abc/.;mmm | /abc/",
        "/.;aaa/..;foo=bar/abc/.;mmm | /abc/",
        "/xyz/..;foo=bar/.;fff=zzz | /",
        "/xyz/..;foo=bar/.;fff=zzz/remain;blah-bluh | /remain;blah-bluh",
      })
  void dotSegmentParametersAreStrippedBeforeCanonicalisation(String in, String expected) {
    assertThat(PathNormalizer.normalize(in, BASE).path()).isEqualTo(expected);
  }

  @Test
  void dotSegmentParametersQueryIsKept() {
    NormalizedPath result = PathNormalizer.normalize("/xyz/..;foo=bar/.;fff=zzz?blah=woops", BASE);
    assertThat(result.pathAndQuery()).isEqualTo("/?blah=woops");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/xyz/..;foo=bar/abc | /xyz/..;foo=bar/abc",
        "/..;foo=bar/abc | /..;foo=bar/abc",
        "/xyz/..;foo=bar | /xyz/..;foo=bar",
      })
  void olderEnvoyKeepsDotSegmentParameters(String in, String expected) {
    assertThat(PathNormalizer.normalize(in, BASE, false).path()).isEqualTo(expected);
  }

  // --- spec 9.2 (BASE) and 9.3 (MERGE_SLASHES) through normalize() ---

  @ParameterizedTest(name = "BASE {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/a/b/../c | /a/c",
        "/a/b/./c | /a/b/c",
        "/a/b/../../../../c | /c",
        "/a/..\\c | /c",
        "/a/b/%2E%2E/c | /a/c",
        "/a/b/%2e%2e/c | /a/c",
        "/a/b/%2E/c | /a/b/c",
        "/../a/b | /a/b",
        "/A/B/C | /A/B/C",
        "/%5c%25 | /%5c%25",
        "/a/%2F%2f/c | /a/%2F%2f/c",
        "/%c0%af | /%c0%af",
      })
  void specBaseVectors(String in, String expected) {
    NormalizedPath result = PathNormalizer.normalize(in, BASE);
    assertThat(result.valid()).isTrue();
    assertThat(result.path()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "MERGE {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "//a/b/c | /a/b/c | ",
        "/a//b/c/ | /a/b/c/ | ",
        "/a/b/c// | /a/b/c/ | ",
        "/a//b?a=///c | /a/b | a=///c",
        "/a//b? | /a/b | ''",
        "//a/?b | /a/ | b",
      })
  void specMergeSlashesVectors(String in, String path, String query) {
    NormalizedPath result = PathNormalizer.normalize(in, MERGE_SLASHES);
    assertThat(result.path()).isEqualTo(path);
    assertThat(result.query()).isEqualTo(query);
  }

  @ParameterizedTest
  @EnumSource(value = PathNormalization.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void encodedNulIsRejectedWith400(PathNormalization mode) {
    NormalizedPath result = PathNormalizer.normalize("/admin%00", mode);
    assertThat(result.valid()).isFalse();
    assertThat(result.rejectStatus()).isEqualTo(400);
    assertThat(result.path()).isNull();
    assertThat(result.invalidReason()).contains("%00");
  }

  @Test
  void noneDoesNotCanonicaliseSoEncodedNulPasses() {
    NormalizedPath result = PathNormalizer.normalize("/admin%00?x", NONE);
    assertThat(result.valid()).isTrue();
    assertThat(result.path()).isEqualTo("/admin%00");
  }

  // --- query and fragment (Envoy removeQueryAndFragment, spec 9.4) ---

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/abc | /abc | ",
        "/abc? | /abc | ''",
        "/abc?param=value | /abc | param=value",
        "/abc?param=value1&param=value2 | /abc | param=value1&param=value2",
        "/abc?? | /abc | ?",
        "/abc??param=value | /abc | ?param=value",
        "/abc# | /abc | ",
        "/abc#fragment | /abc | ",
        "/abc#fragment?param=value | /abc | ",
        "/abc## | /abc | ",
        "/abc#? | /abc | ",
        "/abc#?param=value | /abc | ",
        "/abc?# | /abc | ''",
        "/abc?#fragment | /abc | ''",
        "/abc?param=value# | /abc | param=value",
        "/abc?param=value#fragment | /abc | param=value",
        "/a/../b?x=/../y | /b | x=/../y",
        "/a?x=%2e%2e%00 | /a | x=%2e%2e%00",
      })
  void queryIsSplitOffUntouchedAndFragmentDropped(String in, String path, String query) {
    for (PathNormalization mode : PathNormalization.values()) {
      NormalizedPath result = PathNormalizer.normalize(in, mode);
      if (mode == NONE && in.contains("..")) {
        continue;
      }
      assertThat(result.path()).as("%s %s", mode, in).isEqualTo(path);
      assertThat(result.query()).as("%s %s", mode, in).isEqualTo(query);
    }
  }

  @Test
  void pathAndQueryIsWhatGoesUpstream() {
    assertThat(PathNormalizer.normalize("/a/./b?x=1#frag", BASE).pathAndQuery())
        .isEqualTo("/a/b?x=1");
    assertThat(PathNormalizer.normalize("/a/./b#frag", BASE).pathAndQuery()).isEqualTo("/a/b");
    assertThat(PathNormalizer.normalize("/a?", BASE).pathAndQuery()).isEqualTo("/a?");
  }

  // --- request-target forms ---

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "http://example.com/a/../admin?x=1 | /admin | x=1",
        "HTTP://example.com/admin | /admin | ",
        "hTtPs://example.com:8443/admin#f | /admin | ",
        "http://example.com | / | ",
        "http://user@example.com/x | /x | ",
        "http://[::1]:8080/x/./y | /x/y | ",
        "https://example.com//admin | /admin | ",
      })
  void absoluteFormUsesThePathPart(String in, String path, String query) {
    NormalizedPath result = PathNormalizer.normalize(in, MERGE_SLASHES);
    assertThat(result.valid()).isTrue();
    assertThat(result.path()).isEqualTo(path);
    assertThat(result.query()).isEqualTo(query);
  }

  @Test
  void mixedCaseSchemeDecidesLikeLowerCase() {
    for (PathNormalization mode : PathNormalization.values()) {
      for (String scheme : List.of("http", "HTTP", "Http", "hTtP", "https", "HTTPS", "hTtPs")) {
        assertThat(PathNormalizer.normalize(scheme + "://h/x/../admin", mode))
            .isEqualTo(PathNormalizer.normalize("/x/../admin", mode));
      }
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "* | 404",
        "http://example.com?x | 404",
        "http://example.com#f | 404",
        "a/b/../c | 400",
        "\\admin | 400",
        ".. | 400",
        "ftp://example.com/x | 400",
        "h2c://example.com/x | 400",
        "http:/x | 400",
        "http:///x | 400",
        "example.com:80 | 400",
      })
  void targetsEnvoyDoesNotRoute(String in, int status) {
    for (PathNormalization mode : PathNormalization.values()) {
      NormalizedPath result = PathNormalizer.normalize(in, mode);
      assertThat(result.valid()).as("%s %s", mode, in).isFalse();
      assertThat(result.rejectStatus()).as("%s %s", mode, in).isEqualTo(status);
      assertThat(result.invalidReason()).isNotBlank();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/a b", "/a\tb", "/a\u0000b", "/a\u007fb", "/a\rb", "/a?x=\n", "/a#\u0001", " /a"})
  void spacesAndControlCharactersAnywhereAreRejected(String in) {
    for (PathNormalization mode : PathNormalization.values()) {
      NormalizedPath result = PathNormalizer.normalize(in, mode);
      assertThat(result.valid()).as("%s", mode).isFalse();
      assertThat(result.rejectStatus()).isEqualTo(400);
    }
  }

  @Test
  void emptyAndMissingTargetsAreRejected() {
    assertThat(PathNormalizer.normalize("", BASE).rejectStatus()).isEqualTo(400);
    assertThat(PathNormalizer.normalize(null, BASE).rejectStatus()).isEqualTo(400);
  }

  @Test
  void fourArgumentRecordFormDefaultsTo400() {
    NormalizedPath invalid = new NormalizedPath(false, null, null, "bad");
    assertThat(invalid.rejectStatus()).isEqualTo(400);
    assertThat(new NormalizedPath(true, "/", null, null).rejectStatus()).isZero();
  }

  // --- Istio's normalization integration test table (tests/integration/security) ---

  static Stream<Arguments> istioTable() {
    List<Arguments> rows = new ArrayList<>();
    String[][] inputs = {
      // in, NONE, BASE, MERGE_SLASHES, DECODE_AND_MERGE_SLASHES
      {"/", "/", "/", "/", "/"},
      {"/app#foo", "/app", "/app", "/app", "/app"},
      {"/app/", "/app/", "/app/", "/app/", "/app/"},
      {"/app/../admin", "/app/../admin", "/admin", "/admin", "/admin"},
      {"/app", "/app", "/app", "/app", "/app"},
      {"/app//", "/app//", "/app//", "/app/", "/app/"},
      {"/app/%2f", "/app/%2f", "/app/%2f", "/app/%2f", "/app/"},
      {"/app%2f/", "/app%2f/", "/app%2f/", "/app%2f/", "/app/"},
      {"/xyz%30..//abc", "/xyz%30..//abc", "/xyz0..//abc", "/xyz0../abc", "/xyz0../abc"},
      {"/app/%2E./admin", "/app/%2E./admin", "/admin", "/admin", "/admin"},
      {"/app\\admin", "/app\\admin", "/app/admin", "/app/admin", "/app/admin"},
      {"/app/\\/\\/\\admin", "/app/\\/\\/\\admin", "/app//////admin", "/app/admin", "/app/admin"},
      {
        "/%2Fapp%5cadmin%5Cabc",
        "/%2Fapp%5cadmin%5Cabc",
        "/%2Fapp%5cadmin%5Cabc",
        "/%2Fapp%5cadmin%5Cabc",
        "/app/admin/abc"
      },
      {
        "/%5Capp%2f%5c%2F%2e%2e%2fadmin%5c\\abc",
        "/%5Capp%2f%5c%2F%2e%2e%2fadmin%5c\\abc",
        "/%5Capp%2f%5c%2F..%2fadmin%5c/abc",
        "/%5Capp%2f%5c%2F..%2fadmin%5c/abc",
        "/app/admin/abc"
      },
      {"/app//../admin", "/app//../admin", "/app/admin", "/app/admin", "/app/admin"},
      {"/app//../../admin", "/app//../../admin", "/admin", "/admin", "/admin"},
    };
    PathNormalization[] modes = {NONE, BASE, MERGE_SLASHES, DECODE_AND_MERGE_SLASHES};
    for (String[] row : inputs) {
      for (int m = 0; m < modes.length; m++) {
        rows.add(Arguments.of(modes[m], row[0], row[m + 1]));
      }
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("istioTable")
  void istioIntegrationTable(PathNormalization mode, String in, String expected) {
    assertThat(PathNormalizer.normalize(in, mode).path()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/%c0%2e%c0%2e/admin | /%c0.%c0./admin",
        "/%c0%2fadmin | /%c0/admin",
        // Istio's "NotNormalized" group
        "/0x2e0x2e/admin | /0x2e0x2e/admin",
        "/0x2e0x2e0x2fadmin | /0x2e0x2e0x2fadmin",
        "/0x2e0x2e0x5cadmin | /0x2e0x2e0x5cadmin",
        "/0x2f0x2fadmin | /0x2f0x2fadmin",
        "/0x5c0x5cadmin | /0x5c0x5cadmin",
        "/%25c0%25ae%25c1%259cadmin | /%25c0%25ae%25c1%259cadmin",
        "/%25c0%25ae%25c0%25ae/admin | /%25c0%25ae%25c0%25ae/admin",
        "/%25c0%25afadmin | /%25c0%25afadmin",
        "/%25c1%259cadmin | /%25c1%259cadmin",
        "/%252e%252e/admin | /%252e%252e/admin",
        "/%252e%252e%252fadmin | /%252e%252e%252fadmin",
        "/%c1%9cadmin | /%c1%9cadmin",
        "/%c0%ae%c0%ae/admin | /%c0%ae%c0%ae/admin",
        "/%c0%afadmin | /%c0%afadmin",
        "/.../admin | /.../admin",
        "/..../admin | /..../admin",
        "/;/admin | /;/admin",
        "/admin;a=b | /admin;a=b",
        "/admin;a=b/xyz | /admin;a=b/xyz",
        "/admin,a=b/xyz | /admin,a=b/xyz",
        "/Admin | /Admin",
        "/ADMIN | /ADMIN",
      })
  void istioDecodeAndMergeTable(String in, String expected) {
    assertThat(PathNormalizer.normalize(in, DECODE_AND_MERGE_SLASHES).path()).isEqualTo(expected);
  }

  @Test
  void istioNotNormalizedDotDotSemicolonDependsOnEnvoyVersion() {
    // Istio's table (written before CVE-2026-73551) expects `/..;/admin` unchanged; current Envoy
    // strips the parameter and resolves the segment.
    assertThat(PathNormalizer.normalize("/..;/admin", DECODE_AND_MERGE_SLASHES, false).path())
        .isEqualTo("/..;/admin");
    assertThat(PathNormalizer.normalize("/..;/admin", DECODE_AND_MERGE_SLASHES).path())
        .isEqualTo("/admin");
  }

  /** Istio's %01..%ff sweep under DECODE_AND_MERGE_SLASHES, and the same bytes under BASE. */
  @Test
  void everyPercentEncodedByte() {
    for (int b = 1; b <= 0xff; b++) {
      for (String hex : List.of(String.format("%02x", b), String.format("%02X", b))) {
        String in = "/admin%" + hex;
        char c = (char) b;
        boolean unreserved =
            (c >= '0' && c <= '9')
                || (c >= 'A' && c <= 'Z')
                || (c >= 'a' && c <= 'z')
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~';
        String base = unreserved ? "/admin" + c : in;
        String decode;
        if (c == '/' || c == '\\') {
          decode = "/admin/";
        } else {
          decode = base;
        }
        assertThat(PathNormalizer.normalize(in, BASE).path()).as("BASE %s", in).isEqualTo(base);
        assertThat(PathNormalizer.normalize(in, DECODE_AND_MERGE_SLASHES).path())
            .as("DECODE %s", in)
            .isEqualTo(decode);
      }
    }
  }
}
