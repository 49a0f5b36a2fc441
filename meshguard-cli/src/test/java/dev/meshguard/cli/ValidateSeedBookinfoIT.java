package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
    Path seed =
        Path.of(System.getProperty("meshguard.repo", ".."))
            .resolve("../shared/testdata/seed-bookinfo")
            .normalize();
    Assumptions.assumeTrue(
        Files.isDirectory(seed), seed + " is not here (only next to the lab checkout)");
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
