package dev.meshguard.engine.match;

import static dev.meshguard.engine.PathNormalization.BASE;
import static dev.meshguard.engine.PathNormalization.DECODE_AND_MERGE_SLASHES;
import static dev.meshguard.engine.PathNormalization.MERGE_SLASHES;
import static dev.meshguard.engine.PathNormalization.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.PathNormalization;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Envoy behaviour that is surprising but deliberate here, and the 64 KiB guard (row 5). */
class PathNormalizerKnownQuirksTest {

  private static final int SIXTY_FOUR_KIB = 64 * 1024;

  @Test
  void encodedDotSegmentWithParametersSurvivesOnePass() {
    // Envoy strips `;params` only from literal `..;` segments, before decoding `%2e`. The decoded
    // `..;x` then goes upstream, where a servlet container may treat it as `..`.
    assertThat(PathNormalizer.normalize("/public/%2e%2e;x/admin", BASE).path())
        .isEqualTo("/public/..;x/admin");
    assertThat(PathNormalizer.normalize("/public/..;x/admin", BASE).path()).isEqualTo("/admin");
  }

  @Test
  void onlySlashesStayTwoSlashesAfterMerging() {
    assertThat(PathNormalizer.normalize("//", MERGE_SLASHES).path()).isEqualTo("//");
    assertThat(PathNormalizer.normalize("////", MERGE_SLASHES).path()).isEqualTo("//");
    assertThat(PathNormalizer.normalize("//?q", MERGE_SLASHES).pathAndQuery()).isEqualTo("//?q");
  }

  /** One 64 KiB shape and what each mode makes of it (null: rejected with 400). */
  private record Shape(String path, String underNone, String normalized, String merged) {
    Shape(String path, String underNone, String normalized) {
      this(path, underNone, normalized, normalized);
    }

    String expected(PathNormalization mode) {
      return switch (mode) {
        case NONE -> underNone;
        case BASE -> normalized;
        case MERGE_SLASHES, DECODE_AND_MERGE_SLASHES -> merged;
      };
    }
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void sixtyFourKibPathsFinishInEveryModeWithTheAnswerOfShortOnes() {
    String letters = "/" + "a".repeat(SIXTY_FOUR_KIB);
    String segments = "/a".repeat(SIXTY_FOUR_KIB / 2);
    String parents = "/..".repeat(SIXTY_FOUR_KIB / 3);
    String upAndDown = "/a/..".repeat(SIXTY_FOUR_KIB / 5);
    String nestedEscapes = "/" + "%%30".repeat(SIXTY_FOUR_KIB / 4);
    String encodedDots = "/" + "%2e".repeat(SIXTY_FOUR_KIB / 3);
    String slashes = "/".repeat(SIXTY_FOUR_KIB);
    String deepThenUp = letters + "/.." + "/..".repeat(1000);
    Shape[] shapes = {
      new Shape(letters, letters, letters),
      new Shape(segments, segments, segments),
      new Shape(parents, parents, "/"),
      new Shape(upAndDown, upAndDown, "/"),
      // `%%30` decodes to `%0`, which no later pass may decode again
      new Shape(nestedEscapes, nestedEscapes, "/" + "%0".repeat(SIXTY_FOUR_KIB / 4)),
      // one long segment of dots is a name, not a parent
      new Shape(encodedDots, encodedDots, "/" + ".".repeat(SIXTY_FOUR_KIB / 3)),
      new Shape(slashes, slashes, slashes, "//"),
      new Shape("\\".repeat(SIXTY_FOUR_KIB), null, null),
      new Shape(deepThenUp, deepThenUp, "/"),
    };
    for (Shape shape : shapes) {
      for (PathNormalization mode : PathNormalization.values()) {
        for (boolean strip : new boolean[] {true, false}) {
          NormalizedPath result = PathNormalizer.normalize(shape.path(), mode, strip);
          String what = mode + " strip=" + strip + " " + shape.path().substring(0, 12) + "...";
          String expected = shape.expected(mode);
          if (expected == null) {
            assertThat(result.valid()).as(what).isFalse();
            assertThat(result.rejectStatus()).as(what).isEqualTo(400);
          } else {
            assertThat(result.path()).as(what).isEqualTo(expected);
            assertThat(result.query()).as(what).isNull();
          }
        }
      }
    }
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void sixtyFourKibShapesWhoseAnswerDependsOnTheMode() {
    String encodedSlashes = "/" + "%2f".repeat(SIXTY_FOUR_KIB / 3);
    assertThat(PathNormalizer.normalize(encodedSlashes, BASE).path()).isEqualTo(encodedSlashes);
    assertThat(PathNormalizer.normalize(encodedSlashes, MERGE_SLASHES).path())
        .isEqualTo(encodedSlashes);
    assertThat(PathNormalizer.normalize(encodedSlashes, DECODE_AND_MERGE_SLASHES).path())
        .as("decoded, then only slashes: Envoy's `//` quirk")
        .isEqualTo("//");

    String dotParameters = "/" + "..;".repeat(SIXTY_FOUR_KIB / 3);
    assertThat(PathNormalizer.normalize(dotParameters, BASE, true).path())
        .as("the segment starts with `..;`: stripped to `..`")
        .isEqualTo("/");
    assertThat(PathNormalizer.normalize(dotParameters, BASE, false).path())
        .isEqualTo(dotParameters);
    assertThat(PathNormalizer.normalize(dotParameters, NONE).path()).isEqualTo(dotParameters);

    String query = "/..".repeat(SIXTY_FOUR_KIB / 3);
    for (PathNormalization mode : PathNormalization.values()) {
      NormalizedPath result = PathNormalizer.normalize("/x?" + query, mode);
      assertThat(result.path()).as(mode.name()).isEqualTo("/x");
      assertThat(result.query()).as("the query is never touched").isEqualTo(query);
    }
  }
}
