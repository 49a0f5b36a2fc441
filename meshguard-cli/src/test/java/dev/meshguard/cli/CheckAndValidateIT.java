package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `check` and `validate` as users run them: `bin/meshguard` as a process, its exit code, its
 * standard output (one JSON object for `check --json`, one finding per line for `validate`) and the
 * messages on standard error; and the launcher's class-data archive for these short commands.
 */
class CheckAndValidateIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = DemoCommand.resource(DemoCommand.TOKEN).trim();

  @TempDir static Path dir;
  private static Path policies;
  private static Path broken;

  @BeforeAll
  static void files() throws Exception {
    policies = dir.resolve("ingress-policies.yaml");
    Files.writeString(policies, DemoCommand.resource(DemoCommand.POLICIES));
    broken = dir.resolve("broken.yaml");
    Files.writeString(broken, ValidateCommandTest.BROKEN);
  }

  /** `check --json` for the FAQ's ingress gateway, for a request to {@code path}. */
  private static MeshguardProcess check(String path, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "check",
                "--config",
                policies.toString(),
                "--namespace",
                "istio-system",
                "--labels",
                "app=istio-ingressgateway",
                "--host",
                "bookinfo",
                "--path",
                path,
                "--json"));
    args.addAll(List.of(more));
    return MeshguardProcess.run(args.toArray(String[]::new));
  }

  /** Standard output is exactly one JSON object, nothing before or after it. */
  private static JsonNode json(MeshguardProcess p) throws Exception {
    assertThat(p.stdout).as(p.transcript()).hasSize(1);
    JsonNode j = JSON.readTree(p.stdout.get(0));
    assertThat(j.isObject()).isTrue();
    return j;
  }

  @Test
  void checkAllowedExitsZero() throws Exception {
    MeshguardProcess p = check("/productpage");
    assertThat(p.process.exitValue()).as(p.transcript()).isZero();
    JsonNode j = json(p);
    assertThat(j.get("status").asInt()).isEqualTo(200);
    assertThat(j.get("allowed").asBoolean()).isTrue();
    assertThat(j.get("outcome").asText()).isEqualTo("ALLOWED");
  }

  @Test
  void checkWithAValidTokenExitsZeroAndNamesThePrincipal() throws Exception {
    MeshguardProcess p = check("/api/v1/products/0", "--header", "Authorization: Bearer " + TOKEN);
    assertThat(p.process.exitValue()).as(p.transcript()).isZero();
    JsonNode j = json(p);
    assertThat(j.get("status").asInt()).isEqualTo(200);
    assertThat(j.get("principal").asText())
        .isEqualTo("testing@secure.istio.io/testing@secure.istio.io");
    assertThat(j.get("upstream").get("removeHeaders").get(0).asText()).isEqualTo("authorization");
  }

  @Test
  void checkDeniedByAPolicyExitsOne() throws Exception {
    MeshguardProcess p = check("/api/v1/products/0");
    assertThat(p.process.exitValue()).as(p.transcript()).isEqualTo(1);
    JsonNode j = json(p);
    assertThat(j.get("status").asInt()).isEqualTo(403);
    assertThat(j.get("allowed").asBoolean()).isFalse();
    assertThat(j.get("policy").asText()).isEqualTo("istio-system/test-exclude");
    assertThat(j.get("body").asText()).isEqualTo("RBAC: access denied");
  }

  @Test
  void checkWithABadTokenExitsOneWith401() throws Exception {
    MeshguardProcess p =
        check(
            "/api/v1/products/0", "--header", "Authorization: Bearer " + TestTokens.tamper(TOKEN));
    assertThat(p.process.exitValue()).as(p.transcript()).isEqualTo(1);
    JsonNode j = json(p);
    assertThat(j.get("status").asInt()).isEqualTo(401);
    assertThat(j.get("jwt").asText()).isEqualTo("Jwt verification fails");
    assertThat(j.get("responseHeaders").get("www-authenticate").asText())
        .isEqualTo("Bearer realm=\"http://bookinfo/api/v1/products/0\", error=\"invalid_token\"");
  }

  @Test
  void checkOnABrokenConfigurationExitsTwoNamingFileDocumentAndField() {
    MeshguardProcess p =
        MeshguardProcess.run("check", "--config", broken.toString(), "--path", "/", "--json");
    assertThat(p.process.exitValue()).as(p.transcript()).isEqualTo(2);
    assertThat(p.stdout).isEmpty();
    assertThat(p.stderr)
        .contains(
            broken + ":1: spec.rules[0].to[0].operation.bogusField: unknown field `bogusField`",
            broken + ":2: spec.jwtRules[0].jwks: invalid jwks: Jwks is an invalid JSON",
            "meshguard check: configuration has errors; nothing was decided");
  }

  @Test
  void checkUsageErrorsExitTwo() {
    MeshguardProcess noPath = MeshguardProcess.run("check", "--config", policies.toString());
    assertThat(noPath.process.exitValue()).as(noPath.transcript()).isEqualTo(2);
    assertThat(noPath.stderr).contains("meshguard: Missing required option: '--path=<path>'");
    MeshguardProcess badLabels = check("/", "--labels", "no-equals-sign");
    assertThat(badLabels.process.exitValue()).as(badLabels.transcript()).isEqualTo(2);
    assertThat(badLabels.stdout).isEmpty();
    assertThat(String.join("\n", badLabels.stderr)).contains("--labels").contains("no-equals-sign");
  }

  @Test
  void validateExitCodesAndFindings() throws Exception {
    Path clean = dir.resolve("clean.yaml");
    Files.writeString(clean, ValidateCommandTest.CLEAN);
    MeshguardProcess ok = MeshguardProcess.run("validate", clean.toString());
    assertThat(ok.process.exitValue()).as(ok.transcript()).isZero();
    assertThat(ok.stdout).isEmpty();
    assertThat(ok.stderr).containsExactly("meshguard validate: no findings");

    MeshguardProcess findings = MeshguardProcess.run("validate", broken.toString());
    assertThat(findings.process.exitValue()).as(findings.transcript()).isEqualTo(1);
    assertThat(findings.stdout)
        .hasSize(4)
        .contains(
            broken + ":1: spec.rules[0].to[0].operation.bogusField: unknown field `bogusField`",
            broken + ":2: spec.jwtRules[0].jwks: invalid jwks: Jwks is an invalid JSON");
    assertThat(findings.stderr)
        .containsExactly(
            broken + ":0: skipped Deployment default/httpbin",
            "meshguard validate: 2 error(s), 2 warning(s)");

    Path missing = dir.resolve("missing.yaml");
    MeshguardProcess unreadable = MeshguardProcess.run("validate", missing.toString());
    assertThat(unreadable.process.exitValue()).as(unreadable.transcript()).isEqualTo(2);
    assertThat(unreadable.stdout).isEmpty();
    assertThat(unreadable.stderr)
        .containsExactly("meshguard validate: " + missing + ": cannot read");
  }

  /**
   * The launcher makes a class-data archive of meshguard's classes on the first `check` after a
   * build and starts later ones from it; the answer is the same either way. The class loading log
   * (through `MESHGUARD_JAVA_OPTS`, which must reach the JVM) shows where the classes came from.
   */
  @Test
  void checkMakesAndThenUsesTheClassDataArchive() throws Exception {
    Path jdkArchive = Path.of(System.getProperty("java.home"), "lib", "server", "classes.jsa");
    Assumptions.assumeTrue(Files.isRegularFile(jdkArchive), "the JDK ships no base CDS archive");
    Path jar = MeshguardProcess.jar();
    Path archive = jar.resolveSibling("meshguard-all.jsa");
    Files.deleteIfExists(archive);

    Path firstLog = dir.resolve("first-classes.log");
    MeshguardProcess first = checkLoggingClasses(firstLog);
    assertThat(Files.isRegularFile(archive)).as("archive made\n" + first.transcript()).isTrue();
    assertThat(Files.getLastModifiedTime(archive)).isGreaterThan(Files.getLastModifiedTime(jar));
    assertThat(loadedFrom(firstLog, Main.class)).doesNotContain("shared objects file");

    Path secondLog = dir.resolve("second-classes.log");
    MeshguardProcess second = checkLoggingClasses(secondLog);
    assertThat(loadedFrom(secondLog, Main.class)).contains("shared objects file (top)");
    assertThat(second.stdout).isEqualTo(first.stdout);
    assertThat(second.stderr).isEqualTo(first.stderr);
  }

  private static MeshguardProcess checkLoggingClasses(Path log) {
    MeshguardProcess p =
        MeshguardProcess.run(
            Map.of(
                "MESHGUARD_JAVA_OPTS",
                MeshguardProcess.JAVA_OPTS + " -Xlog:class+load=info:file=" + log),
            "check",
            "--config",
            policies.toString(),
            "--namespace",
            "istio-system",
            "--labels",
            "app=istio-ingressgateway",
            "--path",
            "/api/v1/products/0",
            "--json");
    assertThat(p.process.exitValue()).as(p.transcript()).isEqualTo(1);
    return p;
  }

  /** The class loading log's line for {@code type}: `NAME source: WHERE`. */
  private static String loadedFrom(Path log, Class<?> type) throws Exception {
    return Files.readAllLines(log).stream()
        .filter(l -> l.contains(" " + type.getName() + " source: "))
        .findFirst()
        .orElseThrow(() -> new AssertionError(type.getName() + " not loaded, per " + log));
  }
}
