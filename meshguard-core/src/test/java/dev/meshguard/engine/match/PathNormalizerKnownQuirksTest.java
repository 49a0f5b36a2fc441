package dev.meshguard.engine.match;

import static dev.meshguard.engine.PathNormalization.BASE;
import static dev.meshguard.engine.PathNormalization.MERGE_SLASHES;
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

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void sixtyFourKibPathsFinishInEveryMode() {
    String[] shapes = {
      "/" + "a".repeat(SIXTY_FOUR_KIB),
      "/a".repeat(SIXTY_FOUR_KIB / 2),
      "/..".repeat(SIXTY_FOUR_KIB / 3),
      "/a/..".repeat(SIXTY_FOUR_KIB / 5),
      "/" + "%%30".repeat(SIXTY_FOUR_KIB / 4),
      "/" + "%2e".repeat(SIXTY_FOUR_KIB / 3),
      "/" + "%2f".repeat(SIXTY_FOUR_KIB / 3),
      "/" + "..;".repeat(SIXTY_FOUR_KIB / 3),
      "/".repeat(SIXTY_FOUR_KIB),
      "\\".repeat(SIXTY_FOUR_KIB),
      "/" + "a".repeat(SIXTY_FOUR_KIB) + "/.." + "/..".repeat(1000),
      "/x?" + "/..".repeat(SIXTY_FOUR_KIB / 3),
    };
    for (String shape : shapes) {
      for (PathNormalization mode : PathNormalization.values()) {
        for (boolean strip : new boolean[] {true, false}) {
          NormalizedPath result = PathNormalizer.normalize(shape, mode, strip);
          assertThat(result).isNotNull();
        }
      }
    }
  }
}
