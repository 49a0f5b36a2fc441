package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The packaged jar knows its version, commit and build time. */
class VersionIT {
  @Test
  void versionShowsTheBuild() {
    try (MeshguardProcess p = MeshguardProcess.start("--version")) {
      assertThat(p.awaitExit()).as(p.transcript()).isZero();
      assertThat(p.stdout.get(0)).matches("meshguard \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
      assertThat(p.stdout)
          .anyMatch(l -> l.matches("built: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
      assertThat(p.stdout).anyMatch(l -> l.startsWith("java: 17") || l.startsWith("java: 2"));
      Path repo = Path.of(System.getProperty("meshguard.repo", ".."));
      Assumptions.assumeTrue(Files.exists(repo.resolve(".git")), "not built from a git checkout");
      assertThat(p.stdout)
          .anyMatch(l -> l.matches("commit: [0-9a-f]{12}( \\(with uncommitted changes\\))?"));
    }
  }
}
