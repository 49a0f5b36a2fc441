package dev.meshguard.engine.match;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.PathNormalization;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class PathNormalizerPropertiesTest {

  private static final List<String> TOKENS =
      List.of(
          "/", "/", "/", "//", "\\", ".", "..", "%2e", "%2E", "%2f", "%2F", "%5c", "%5C", "%25",
          "%", "%%", "%3", "%30", "%41", "%61", "%7e", "%00", ";", ";x", "..;", ".;", "a", "b",
          "admin", "0", "4", "e", "f", "?", "#", "=", "~", "\u00e9");

  @Provide
  Arbitrary<String> targets() {
    Arbitrary<String> body =
        Arbitraries.of(TOKENS).list().ofMaxSize(14).map(parts -> String.join("", parts));
    return body.map(s -> "/" + s);
  }

  @Provide
  Arbitrary<PathNormalization> canonicalisingModes() {
    return Arbitraries.of(
        PathNormalization.BASE,
        PathNormalization.MERGE_SLASHES,
        PathNormalization.DECODE_AND_MERGE_SLASHES);
  }

  @Provide
  Arbitrary<PathNormalization> idempotentModes() {
    return Arbitraries.of(PathNormalization.BASE, PathNormalization.MERGE_SLASHES);
  }

  @Property(tries = 3000)
  void neverThrowsOnArbitraryText(
      @ForAll String anything, @ForAll PathNormalization mode, @ForAll boolean stripParameters) {
    NormalizedPath result = PathNormalizer.normalize(anything, mode, stripParameters);
    assertThat(result.valid()).isEqualTo(result.path() != null);
  }

  @Property(tries = 3000)
  void neverThrowsOnPathLikeText(@ForAll("targets") String target, @ForAll PathNormalization mode) {
    NormalizedPath result = PathNormalizer.normalize(target, mode);
    if (result.valid() && mode != PathNormalization.NONE) {
      assertThat(result.path()).startsWith("/");
    }
  }

  @Property(tries = 3000)
  void idempotentWithoutDotSegmentParameters(
      @ForAll("targets") String target, @ForAll("idempotentModes") PathNormalization mode) {
    NormalizedPath once = PathNormalizer.normalize(target, mode, false);
    Assume.that(once.valid());
    NormalizedPath twice = PathNormalizer.normalize(once.path(), mode, false);
    assertThat(twice.path()).isEqualTo(once.path());
  }

  /**
   * With the CVE-2026-73551 step Envoy is idempotent except when decoding produced a dot segment
   * with parameters ({@code /%2e%2e;x} → {@code /..;x}, which a second pass would strip); see
   * {@link PathNormalizerKnownQuirksTest}.
   */
  @Property(tries = 3000)
  void idempotentWithCurrentEnvoy(
      @ForAll("targets") String target, @ForAll("idempotentModes") PathNormalization mode) {
    NormalizedPath once = PathNormalizer.normalize(target, mode);
    Assume.that(once.valid());
    Assume.that(!hasDotSegmentWithParameters(once.path()));
    NormalizedPath twice = PathNormalizer.normalize(once.path(), mode);
    assertThat(twice.path()).isEqualTo(once.path());
  }

  @Property(tries = 3000)
  void outputHasNoDotSegments(
      @ForAll("targets") String target,
      @ForAll("canonicalisingModes") PathNormalization mode,
      @ForAll boolean stripParameters) {
    NormalizedPath result = PathNormalizer.normalize(target, mode, stripParameters);
    Assume.that(result.valid());
    String path = result.path();
    assertThat(path).startsWith("/").doesNotContain("/./", "/../", "\\");
    assertThat(path).doesNotEndWith("/.").doesNotEndWith("/..");
  }

  @Property(tries = 2000)
  void dotDotCannotClimbAboveRoot(
      @ForAll("targets") String target,
      @ForAll("canonicalisingModes") PathNormalization mode,
      @ForAll @IntRange(min = 1, max = 6) int climbs) {
    NormalizedPath plain = PathNormalizer.normalize(target, mode);
    NormalizedPath climbing = PathNormalizer.normalize("/..".repeat(climbs) + target, mode);
    assertThat(climbing).isEqualTo(plain);
  }

  @Property(tries = 2000)
  void queryIsNeverModified(
      @ForAll("targets") String path, @ForAll String query, @ForAll PathNormalization mode) {
    Assume.that(query.chars().allMatch(c -> c > 0x20 && c != 0x7f && c != '#'));
    String target = path.replace("?", "").replace("#", "") + "?" + query;
    NormalizedPath result = PathNormalizer.normalize(target, mode);
    Assume.that(result.valid());
    assertThat(result.query()).isEqualTo(query);
  }

  static boolean hasDotSegmentWithParameters(String path) {
    return path.contains("/..;") || path.contains("/.;");
  }
}
