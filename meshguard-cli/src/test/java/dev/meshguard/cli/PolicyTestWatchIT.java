package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `meshguard test --watch` (the real jar) runs again when a test or a policy file changes. */
class PolicyTestWatchIT {
  @TempDir Path dir;

  @Test
  void runsAgainWhenTheTestOrThePolicyChanges() throws Exception {
    Path policies = dir.resolve("policies.yaml");
    Files.writeString(policies, Files.readString(PolicyTestCommandTest.DEMO_POLICIES));
    Path test = dir.resolve("gateway.test.yaml");
    String passing =
        """
        config: [policies.yaml]
        workload: {namespace: istio-system, labels: {app: istio-ingressgateway}}
        cases:
        - name: the product page is open
          request: {path: /productpage}
          expect: {status: 200}
        """;
    Files.writeString(test, passing);
    try (MeshguardProcess watch = MeshguardProcess.start("test", test.toString(), "--watch")) {
      watch.awaitStdout(l -> l.equals("1 passed, 0 failed"));
      watch.awaitStdout(l -> l.startsWith("meshguard test: watching"));

      Files.writeString(test, passing.replace("status: 200", "status: 403"));
      watch.awaitStdout(l -> l.equals("0 passed, 1 failed"));
      assertThat(watch.stdout).contains("FAIL the product page is open", "    - status: 403");

      AtomicInteger watching = new AtomicInteger();
      watch.awaitStdout(
          l -> l.startsWith("meshguard test: watching") && watching.incrementAndGet() == 2);
      // the policy now denies /productpage too: the test expecting 403 passes
      Files.writeString(
          policies, Files.readString(policies).replace("- /productpage", "- /nothing-open"));
      AtomicInteger passed = new AtomicInteger();
      watch.awaitStdout(l -> l.equals("1 passed, 0 failed") && passed.incrementAndGet() == 2);
      assertThat(watch.process.isAlive()).isTrue();
    }
  }
}
