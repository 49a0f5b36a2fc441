package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.meshguard.cli.validate.FindingCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `validate` for CI: line numbers, codes, the failure threshold and machine-readable output. */
class ValidateCommandTest {
  /** A policy with no findings (shared with CheckAndValidateIT). */
  static final String CLEAN =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata:
        name: allow-get
        namespace: default
      spec:
        selector:
          matchLabels:
            app: httpbin
        action: ALLOW
        rules:
        - to:
          - operation:
              methods: ["GET"]
              ports: ["8080"]
      """;

  /** A skipped kind (document 0), a reading error and a warning (1), a compile error (2). */
  static final String BROKEN =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: httpbin
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata:
        name: broken
        namespace: default
      spec:
        action: DENY
        rules:
        - to:
          - operation:
              paths: ["/admin"]
              bogusField: 1
      ---
      apiVersion: security.istio.io/v1
      kind: RequestAuthentication
      metadata:
        name: jwt
        namespace: default
      spec:
        jwtRules:
        - issuer: https://issuer.example
          jwks: 'not json'
      """;

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** The seed-bookinfo situation: warnings only (a DENY rule with HTTP attributes, an IP host). */
  private Path warningsOnly() throws Exception {
    Path d = Files.createDirectories(dir.resolve("warnings"));
    Files.writeString(
        d.resolve("a-ingress.yaml"), Files.readString(PolicyTestCommandTest.DEMO_POLICIES));
    Files.writeString(
        d.resolve("b-external.yaml"),
        """
        # an external JWKS endpoint, reached by address
        apiVersion: networking.istio.io/v1beta1
        kind: ServiceEntry
        metadata:
          name: external
          namespace: foo
        spec:
          hosts:
          - 11.11.0.1
          ports:
          - {name: https, number: 443, protocol: HTTPS}
          resolution: STATIC
          endpoints:
          - address: 11.11.0.1
        """);
    return d;
  }

  @Test
  void warningsAloneExitZeroUnlessTheThresholdIsWarning() throws Exception {
    Path d = warningsOnly();
    Cli.Result defaults = Cli.run("validate", d.toString());
    assertThat(defaults.exitCode()).as(defaults.toString()).isZero();
    assertThat(defaults.out().lines())
        .containsExactly(
            d.resolve("a-ingress.yaml")
                + ":30: warning MG0202: spec.rules[0]: configured AuthorizationPolicy will deny all"
                + " traffic to TCP ports under its scope due to the use of only HTTP attributes in"
                + " a DENY rule; it is recommended to explicitly specify the port",
            d.resolve("b-external.yaml")
                + ":9: warning MG0402: spec.hosts[0]: istiod refuses this host: domain name"
                + " `11.11.0.1` invalid (top level domain `1` cannot be all-numeric)");
    assertThat(defaults.err())
        .contains("0 error(s), 2 warning(s), 0 info (failure threshold: error)");

    Cli.Result strict = Cli.run("validate", d.toString(), "--failure-threshold", "warning");
    assertThat(strict.exitCode()).isEqualTo(1);
    Cli.Result lax = Cli.run("validate", d.toString(), "--failure-threshold", "ERROR");
    assertThat(lax.exitCode()).isZero();
  }

  @Test
  void lineNumbersComeFromTheYamlNodes() throws Exception {
    Path file = dir.resolve("policies.yaml");
    Files.writeString(
        file,
        """
        # comment
        ---
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: a
          namespace: foo
        spec:
          rules:
          - to:
            - operation:
                methods: [GET]
                paths:
                - /ok
                - /also-ok
            when:
            - key: request.headers[x-a]
        ---
        apiVersion: v1
        kind: List
        items:
        - apiVersion: security.istio.io/v1
          kind: RequestAuthentication
          metadata: {name: b, namespace: foo}
          spec:
            jwtRules:
            - issuer: ""
        - apiVersion: networking.istio.io/v1
          kind: Gateway
          metadata: {name: gw, namespace: foo}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: c, namespace: foo}
        spec:
          targetRef: {kind: Gateway, name: ""}
          rules: [{}]
        """);
    Cli.Result r = Cli.run("validate", file.toString(), "-o", "json");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    JsonNode findings = JSON.readTree(r.out()).path("findings");
    assertThat(line(findings, "spec.rules[0].when[0]")).isEqualTo(18);
    // the comment before the first `---` is no document: the policy is document 1
    assertThat(document(findings, "spec.rules[0].when[0]")).isEqualTo(1);
    assertThat(line(findings, "items[0].spec.jwtRules[0]")).isEqualTo(28);
    assertThat(line(findings, "spec.targetRef")).isEqualTo(37);
    JsonNode skipped = find(findings, "items[1]");
    assertThat(skipped.path("severity").asText()).isEqualTo("info");
    assertThat(skipped.path("code").asText()).isEqualTo("MG9001");
    assertThat(skipped.path("line").asInt()).isEqualTo(29);
    for (JsonNode f : findings) {
      assertThat(f.path("line").asInt()).as(f.toString()).isPositive();
      assertThat(f.path("code").asText())
          .isIn(java.util.Arrays.stream(FindingCode.values()).map(Enum::name).toList());
    }

    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "apiVersion: security.istio.io/v1\nkind: [\n");
    Cli.Result syntax = Cli.run("validate", broken.toString());
    assertThat(syntax.exitCode()).isEqualTo(1);
    Matcher m =
        Pattern.compile(":(\\d+): error MG0001: invalid yaml at line (\\d+)").matcher(syntax.out());
    assertThat(m.find()).as(syntax.toString()).isTrue();
    assertThat(m.group(1)).isEqualTo(m.group(2));
  }

  @Test
  void thresholdInfoFailsOnSkippedKindsAndOutputIsMachineReadable() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(
        file,
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: foo}
        """);
    assertThat(Cli.run("validate", file.toString()).exitCode()).isZero();
    assertThat(Cli.run("validate", file.toString(), "--failure-threshold", "warning").exitCode())
        .isZero();
    Cli.Result info =
        Cli.run("validate", file.toString(), "--failure-threshold", "info", "-o", "yaml");
    assertThat(info.exitCode()).isEqualTo(1);
    JsonNode report = new ObjectMapper(new YAMLFactory()).readTree(info.out());
    assertThat(report.path("failed").asBoolean()).isTrue();
    assertThat(report.path("info").asInt()).isEqualTo(1);
    JsonNode f = report.path("findings").get(0);
    assertThat(f.path("file").asText()).isEqualTo(file.toString());
    assertThat(f.path("document").asInt()).isZero();
    assertThat(f.path("line").asInt()).isEqualTo(1);
    assertThat(f.path("field").asText()).isEmpty();
    assertThat(f.path("severity").asText()).isEqualTo("info");
    assertThat(f.path("code").asText()).isEqualTo("MG9001");
    assertThat(f.path("message").asText()).isEqualTo("skipped Gateway foo/gw");

    Cli.Result missing = Cli.run("validate", dir.resolve("nope.yaml").toString());
    assertThat(missing.exitCode()).isEqualTo(Main.EXIT_USAGE);
    Cli.Result badThreshold = Cli.run("validate", file.toString(), "--failure-threshold", "fatal");
    assertThat(badThreshold.exitCode()).isEqualTo(Main.EXIT_USAGE);
  }

  private static JsonNode find(JsonNode findings, String field) {
    for (JsonNode f : findings) {
      if (f.path("field").asText().equals(field)) {
        return f;
      }
    }
    throw new AssertionError("no finding at " + field + " in " + findings.toPrettyString());
  }

  private static int line(JsonNode findings, String field) {
    return find(findings, field).path("line").asInt();
  }

  private static int document(JsonNode findings, String field) {
    return find(findings, field).path("document").asInt();
  }
}
