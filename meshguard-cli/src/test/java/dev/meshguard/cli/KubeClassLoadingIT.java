package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `check --config` through the real jar loads no class of the Kubernetes client or of
 * meshguard-kube: kube mode costs nothing to the file path's start-up.
 */
class KubeClassLoadingIT {
  @TempDir Path dir;

  @Test
  void checkWithFilesLoadsNoKubernetesClass() throws Exception {
    Path config = dir.resolve("policy.yaml");
    Files.writeString(
        config,
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-admin, namespace: foo}
        spec:
          action: DENY
          rules:
          - to:
            - operation: {paths: ["/admin"]}
        """,
        StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xlog:class+load=info");
    cmd.add("-jar");
    cmd.add(MeshguardProcess.jar().toString());
    cmd.addAll(
        List.of("check", "--config", config.toString(), "--namespace", "foo", "--path", "/admin"));
    Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isEqualTo(1);
    assertThat(output).contains("403 denied").contains("dev.meshguard.cli.CheckCommand");
    assertThat(
            output
                .lines()
                .filter(l -> l.contains("io.fabric8") || l.contains("dev.meshguard.kube")))
        .as("classes of the Kubernetes client loaded by check --config")
        .isEmpty();
  }
}
