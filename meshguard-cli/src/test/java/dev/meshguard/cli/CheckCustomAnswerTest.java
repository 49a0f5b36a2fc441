package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `check --custom-answer`: told what the CUSTOM policy's provider answers, `check` goes on to the
 * later steps (or relays the denial's status) instead of denying every CUSTOM match.
 */
class CheckCustomAnswerTest {
  @TempDir static Path dir;
  private static Path policies;
  private static Path mesh;

  @BeforeAll
  static void files() throws Exception {
    policies = dir.resolve("policies.yaml");
    Files.writeString(
        policies,
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: ext, namespace: foo}
        spec:
          action: CUSTOM
          provider: {name: oauth2-proxy}
          rules:
          - to: [{operation: {paths: ["/app/*"]}}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: no-admin, namespace: foo}
        spec:
          action: DENY
          rules:
          - to: [{operation: {paths: ["/app/admin"]}}]
        """);
    mesh = dir.resolve("mesh.yaml");
    Files.writeString(
        mesh,
        """
        extensionProviders:
        - name: oauth2-proxy
          envoyExtAuthzHttp:
            service: oauth2-proxy.auth.svc.cluster.local
            port: 4180
        """);
  }

  private static JsonNode check(String path, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("check", "--config=" + policies));
    args.add("--namespace=foo");
    args.add("--mesh-config=" + mesh);
    args.add("--path=" + path);
    args.add("--json");
    args.addAll(List.of(extra));
    return InProcessCheck.run(args.toArray(String[]::new));
  }

  @Test
  void withoutAnAnswerACustomMatchIsDenied() throws Exception {
    JsonNode d = check("/app/home");
    assertThat(d.path("status").asInt()).isEqualTo(403);
    assertThat(d.path("outcome").asText()).isEqualTo("DENIED_CUSTOM");
    assertThat(d.path("reason").asText()).contains("oauth2-proxy");
  }

  @Test
  void anAllowGoesOnToTheLaterSteps() throws Exception {
    JsonNode allowed = check("/app/home", "--custom-answer=allow");
    assertThat(allowed.path("status").asInt()).isEqualTo(200);
    JsonNode denied = check("/app/admin", "--custom-answer=allow");
    assertThat(denied.path("status").asInt()).isEqualTo(403);
    assertThat(denied.path("policy").asText()).isEqualTo("foo/no-admin");
  }

  @Test
  void aDenialCarriesTheProvidersStatus() throws Exception {
    JsonNode redirect = check("/app/home", "--custom-answer=deny:302");
    assertThat(redirect.path("status").asInt()).isEqualTo(302);
    assertThat(redirect.path("allowed").asBoolean()).isFalse();
    assertThat(redirect.path("policy").asText()).isEqualTo("foo/ext");
    assertThat(redirect.path("body").asText()).isEmpty();
    assertThat(check("/app/home", "--custom-answer=deny").path("status").asInt()).isEqualTo(403);
  }

  @Test
  void theAnswerMattersOnlyWhereACustomRuleMatches() throws Exception {
    assertThat(check("/other", "--custom-answer=deny:401").path("status").asInt()).isEqualTo(200);
  }

  @Test
  void aMalformedAnswerIsAUsageError() {
    for (String bad : List.of("yes", "deny:200", "deny:42", "deny:abc", "allow:200")) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit;
      try (PrintWriter o = new PrintWriter(out);
          PrintWriter e = new PrintWriter(err)) {
        exit =
            Main.run(
                o,
                e,
                "check",
                "--config=" + policies,
                "--path=/app/home",
                "--custom-answer=" + bad);
      }
      assertThat(exit).as(bad).isEqualTo(Main.EXIT_USAGE);
      assertThat(err.toString()).as(bad).contains("--custom-answer `" + bad + "`");
    }
  }
}
