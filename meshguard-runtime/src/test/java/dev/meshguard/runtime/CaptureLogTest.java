package dev.meshguard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.jwt.JwtStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `serve --capture` writes: enough to decide again, and no credentials unless asked. */
class CaptureLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static String token(String claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"RS256\",\"kid\":\"k1\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8))
        + ".c2lnbmF0dXJl";
  }

  static CheckRequest request(String path, List<Map.Entry<String, String>> headers) {
    return new CheckRequest(
        "GET",
        "http",
        "bookinfo.example:8080",
        path,
        RequestHeaders.of(headers),
        "10.0.0.1",
        "192.0.2.7",
        "cluster.local/ns/foo/sa/sleep",
        "10.0.0.2",
        8080,
        null);
  }

  static Decision decision(boolean allowed, JwtStatus jwt, String principal) {
    return new Decision(
        allowed ? 200 : 401,
        allowed,
        allowed ? Decision.Outcome.ALLOWED : Decision.Outcome.DENIED_AUTHENTICATION,
        allowed ? "no ALLOW policy applies: allowed" : jwt.message(),
        null,
        principal,
        jwt,
        allowed ? null : jwt.message(),
        List.of(),
        null,
        List.of());
  }

  @Test
  void withoutCaptureTokensTokensBecomeClaimsAndOtherCredentialsAreRedacted() throws Exception {
    String good =
        token("{\"iss\":\"https://issuer.example\",\"sub\":\"alice\",\"exp\":1900000000}");
    String other = token("{\"iss\":\"https://other.example\",\"sub\":\"bob\"}");
    CheckRequest r =
        request(
            "/api?access_token=" + other + "&x=1",
            List.of(
                Map.entry("Authorization", "Bearer " + good),
                Map.entry("Proxy-Authorization", "Basic dXNlcjpwYXNz"),
                Map.entry("Cookie", "session=s3cr3t; jwt=" + other),
                Map.entry("x-team", "blue")));
    JsonNode line =
        JSON.readTree(
            CaptureFormat.line(
                Instant.ofEpochSecond(1_800_000_000L),
                r,
                decision(true, JwtStatus.OK, "https://issuer.example/alice"),
                false));
    assertThat(line.toString()).doesNotContain(good).doesNotContain(other).doesNotContain("s3cr3t");
    assertThat(line.path("time").asLong()).isEqualTo(1_800_000_000L);
    assertThat(line.path("path").asText()).isEqualTo("/api?access_token=@@meshguard-token-0@@&x=1");
    assertThat(line.path("headers").toString())
        .isEqualTo(
            "[[\"Authorization\",\"Bearer @@meshguard-token-1@@\"],"
                + "[\"Proxy-Authorization\",\"<redacted>\"],"
                + "[\"Cookie\",\"session=<redacted>; jwt=@@meshguard-token-2@@\"],"
                + "[\"x-team\",\"blue\"]]");
    JsonNode tokens = line.path("tokens");
    assertThat(tokens.get(1).path("claims").path("sub").asText()).isEqualTo("alice");
    assertThat(tokens.get(1).path("signature").asText()).isEqualTo("verified");
    assertThat(tokens.get(1).path("header").path("kid").asText()).isEqualTo("k1");
    assertThat(tokens.get(0).path("signature").asText()).isEqualTo("unchecked");
    assertThat(line.path("remoteIp").asText()).isEqualTo("192.0.2.7");
    assertThat(line.path("sourcePrincipal").asText()).isEqualTo("cluster.local/ns/foo/sa/sleep");
    assertThat(line.path("decision").path("principal").asText())
        .isEqualTo("https://issuer.example/alice");

    JsonNode failed =
        JSON.readTree(
            CaptureFormat.line(
                Instant.EPOCH,
                request("/", List.of(Map.entry("authorization", "Bearer " + good))),
                decision(false, JwtStatus.JWT_VERIFICATION_FAIL, null),
                false));
    assertThat(failed.path("tokens").get(0).path("signature").asText()).isEqualTo("invalid");
    assertThat(failed.path("tokens").get(0).path("status").asText())
        .isEqualTo("Jwt verification fails");
    JsonNode malformed =
        JSON.readTree(
            CaptureFormat.line(
                Instant.EPOCH,
                request("/", List.of(Map.entry("authorization", "Bearer eyJ.x.y"))),
                decision(false, JwtStatus.JWT_HEADER_PARSE_ERROR_BAD_JSON, null),
                false));
    assertThat(malformed.path("tokens").get(0).has("malformed")).isTrue();
  }

  @Test
  void withCaptureTokensHeadersAreKeptAsSent() throws Exception {
    String good = token("{\"iss\":\"i\",\"sub\":\"s\"}");
    JsonNode line =
        JSON.readTree(
            CaptureFormat.line(
                Instant.EPOCH,
                request("/", List.of(Map.entry("authorization", "Bearer " + good))),
                decision(true, JwtStatus.OK, "i/s"),
                true));
    assertThat(line.path("headers").get(0).get(1).asText()).isEqualTo("Bearer " + good);
    assertThat(line.has("tokens")).isFalse();
  }

  @Test
  void stopsAtItsSizeCapAndSaysSoOnce() throws Exception {
    Path file = dir.resolve("capture.jsonl");
    ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
    CaptureLog capture = CaptureLog.open(file, 2_000, false, Map.of("workload", "w"), log);
    for (int i = 0; i < 50; i++) {
      capture.record(
          Instant.ofEpochSecond(i),
          request("/r" + i, List.of()),
          decision(true, JwtStatus.JWT_MISSED, null));
    }
    capture.close();
    List<String> lines = Files.readAllLines(file);
    assertThat(Files.size(file)).isLessThanOrEqualTo(2_000);
    assertThat(JSON.readTree(lines.get(0)).path("capture").asInt()).isEqualTo(1);
    assertThat(JSON.readTree(lines.get(0)).path("tokens").asText()).isEqualTo("claims");
    assertThat(lines.size()).isBetween(2, 49);
    assertThat(JSON.readTree(lines.get(1)).path("path").asText()).isEqualTo("/r0");
    assertThat(capture.dropped()).isEqualTo(50 - (lines.size() - 1));
    assertThat(
            logBytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("size cap")))
        .hasSize(1);
  }
}
