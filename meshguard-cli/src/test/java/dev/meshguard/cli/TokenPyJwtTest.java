package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshguard.cli.token.JwsAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `token sign` checked by an independent implementation: PyJWT over Python's `cryptography`
 * (OpenSSL) verifies every public-key algorithm's token against the JWKS `token keygen` wrote, and
 * refuses a tampered copy. Needs `python3` with the `jwt` and `cryptography` modules (Debian:
 * `apt-get install python3-jwt python3-cryptography`); skipped only when there is no python3 at
 * all.
 */
class TokenPyJwtTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PYTHONS = List.of("/usr/bin/python3", "python3");

  @TempDir Path dir;

  @Test
  void pyJwtVerifiesEveryPublicKeyAlgorithm() throws Exception {
    String python = python();
    List<Map<String, Object>> cases = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (JwsAlgorithm alg : JwsAlgorithm.values()) {
      if (!alg.isPublicKey()) {
        continue;
      }
      String kid = "k-" + alg.name().toLowerCase(Locale.ROOT);
      Path key = dir.resolve(kid + ".pem");
      Path jwks = dir.resolve(kid + ".json");
      Cli.Result keygen =
          Cli.run(
              "token",
              "keygen",
              "--alg",
              alg.name(),
              "--kid",
              kid,
              "--private",
              key.toString(),
              "--jwks",
              jwks.toString());
      assertThat(keygen.exitCode()).as(keygen.toString()).isZero();
      long now = System.currentTimeMillis() / 1000; // PyJWT checks exp against its own clock
      Cli.Result signed =
          Cli.run(
              "token",
              "sign",
              "--key",
              key.toString(),
              "--alg",
              alg.name(),
              "--kid",
              kid,
              "--iss",
              "https://issuer.example",
              "--sub",
              "alice",
              "--aud",
              "api.example",
              "--now",
              Long.toString(now),
              "--exp-in",
              "1h");
      assertThat(signed.exitCode()).as(signed.toString()).isZero();
      String token = signed.out().strip();
      Object jwk = JSON.readTree(Files.readString(jwks)).path("keys").get(0);
      cases.add(pyCase(alg.name(), token, jwk, alg));
      cases.add(pyCase(alg.name() + "-tampered", DemoCommand.tamper(token), jwk, alg));
      expected.add(alg.name() + " OK");
    }
    List<String> lines = runPython(python, cases);
    assertThat(lines).as("PyJWT's verdicts").containsAll(expected);
    assertThat(lines.stream().filter(l -> l.contains("-tampered")))
        .as("tampered copies are refused")
        .hasSize(expected.size())
        .allMatch(l -> l.contains("FAIL"));
  }

  private static Map<String, Object> pyCase(
      String name, String token, Object jwk, JwsAlgorithm alg) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", name);
    c.put("token", token);
    c.put("jwk", jwk);
    c.put("alg", alg.name());
    c.put("issuer", "https://issuer.example");
    c.put("audience", "api.example");
    return c;
  }

  private List<String> runPython(String python, List<Map<String, Object>> cases) throws Exception {
    Path script = dir.resolve("pyjwt_verify.py");
    try (InputStream in = getClass().getResourceAsStream("/pyjwt_verify.py")) {
      Files.write(script, in.readAllBytes());
    }
    Process p = new ProcessBuilder(python, script.toString()).redirectErrorStream(true).start();
    p.getOutputStream().write(JSON.writeValueAsBytes(cases));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("python finished").isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().toList();
  }

  /**
   * The first python3 that has PyJWT and cryptography. No python3 at all: skipped, with the reason.
   * A python3 without the modules fails the test, so that CI cannot lose this check silently.
   */
  private static String python() throws InterruptedException {
    boolean anyPython = false;
    for (String candidate : PYTHONS) {
      try {
        Process p =
            new ProcessBuilder(candidate, "-c", "import jwt, cryptography")
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          continue;
        }
        anyPython = true;
        if (p.exitValue() == 0) {
          return candidate;
        }
      } catch (IOException e) {
        // not installed under this name
      }
    }
    Assumptions.assumeTrue(anyPython, "python3 is not installed: PyJWT cross-check skipped");
    throw new AssertionError(
        "python3 has no `jwt`/`cryptography` modules; install them (Debian: apt-get install"
            + " python3-jwt python3-cryptography)");
  }
}
