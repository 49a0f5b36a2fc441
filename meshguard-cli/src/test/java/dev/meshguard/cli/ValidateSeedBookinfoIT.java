package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shared seed data (`../shared/testdata/seed-bookinfo`, next to the checkout where it exists):
 * warnings only, so `validate` passes by default and fails with `--failure-threshold warning`;
 * every finding has a real line number.
 */
class ValidateSeedBookinfoIT {
  @Test
  void seedBookinfoHasWarningsOnly() throws Exception {
    Path repo = Path.of(System.getProperty("meshguard.repo", ".."));
    // next to the checkout, or next to the folder of worktrees
    Path seed =
        Stream.of("../shared", "../../shared")
            .map(shared -> repo.resolve(shared).resolve("testdata/seed-bookinfo").normalize())
            .filter(Files::isDirectory)
            .findFirst()
            .orElse(null);
    Assumptions.assumeTrue(seed != null, "../shared/testdata/seed-bookinfo is not next to " + repo);
    try (MeshguardProcess p = MeshguardProcess.start("validate", seed.toString())) {
      assertThat(p.awaitExit()).as(p.transcript()).isZero();
      assertThat(p.stdout)
          .isNotEmpty()
          .allMatch(l -> l.matches(".*\\.yaml:[1-9][0-9]*: warning MG\\d{4}: .*"));
      assertThat(p.stderr).anyMatch(l -> l.contains("0 error(s)"));
    }
    try (MeshguardProcess p =
        MeshguardProcess.start("validate", seed.toString(), "--failure-threshold", "warning")) {
      assertThat(p.awaitExit()).as(p.transcript()).isEqualTo(1);
    }
  }
}
