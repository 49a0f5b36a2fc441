package dev.meshguard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshguard.jwks.JwksSourceHealth;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminServerTest {
  private final HttpClient client = HttpClient.newHttpClient();

  private HttpResponse<String> get(AdminServer admin, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesReadinessMetricsAndTheConfigDump(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, "ok");
    LiveConfigTest.FileLoader loader = new LiveConfigTest.FileLoader(file);
    MeshguardMetrics metrics = new MeshguardMetrics();
    LiveConfig config =
        new LiveConfig(
            loader,
            loader.load(),
            metrics,
            new PrintStream(new ByteArrayOutputStream()),
            Clock.systemUTC());
    AtomicBoolean draining = new AtomicBoolean();
    try (AdminServer admin =
        AdminServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            config,
            metrics,
            draining::get,
            Map.of("upstream", "http://u:1"),
            () -> Map.of("jwks", java.util.List.of(Map.of("issuer", "i", "status", "FRESH"))))) {
      HttpResponse<String> ready = get(admin, "/healthz/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(new ObjectMapper().readTree(ready.body()).get("status").asText())
          .isEqualTo("LIVE");

      metrics.request("ALLOWED", 200, null, 1_000_000);
      HttpResponse<String> stats = get(admin, "/stats/prometheus");
      assertThat(stats.statusCode()).isEqualTo(200);
      assertThat(stats.body()).contains("meshguard_requests_total{");
      assertThat(stats.headers().firstValue("content-type").orElse("")).startsWith("text/plain");

      Files.writeString(file, "broken");
      config.reload();
      HttpResponse<String> dump = get(admin, "/config_dump");
      assertThat(dump.statusCode()).isEqualTo(200);
      JsonNode j = new ObjectMapper().readTree(dump.body());
      assertThat(j.get("upstream").asText()).isEqualTo("http://u:1");
      assertThat(j.get("jwks").get(0).get("status").asText()).isEqualTo("FRESH");
      assertThat(j.get("config").get("workload").get("namespace").asText()).isEqualTo("default");
      assertThat(j.get("findings").get(0).get("severity").asText()).isEqualTo("WARNING");
      assertThat(j.get("last_reload_error").get("errors").get(0).asText())
          .contains("`broken` is bad");
      assertThat(j.get("last_reload").get("ok").asBoolean()).isFalse();

      assertThat(get(admin, "/nope").statusCode()).isEqualTo(404);
      draining.set(true);
      assertThat(get(admin, "/healthz/ready").statusCode()).isEqualTo(503);
    }
  }

  @Test
  void readinessShowsKeyHealthButAnIdentityProviderDownDoesNotFailIt(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, "ok");
    LiveConfigTest.FileLoader loader = new LiveConfigTest.FileLoader(file);
    MeshguardMetrics metrics = new MeshguardMetrics();
    LiveConfig config =
        new LiveConfig(
            loader,
            loader.load(),
            metrics,
            new PrintStream(new ByteArrayOutputStream()),
            Clock.systemUTC());
    Instant success = Instant.parse("2026-03-01T10:00:00Z");
    Instant failure = Instant.parse("2026-03-01T10:05:00Z");
    List<JwksSourceHealth> health =
        List.of(
            new JwksSourceHealth(
                "https://down.example",
                "https://down.example/jwks",
                "jwksUri https://down.example/jwks",
                JwksSourceHealth.Status.FAILED,
                0,
                null,
                null,
                failure,
                "status 500",
                3,
                3,
                failure.plusSeconds(4),
                null,
                false,
                4),
            new JwksSourceHealth(
                "https://up.example",
                "https://up.example/jwks",
                "jwksUri https://up.example/jwks",
                JwksSourceHealth.Status.FRESH,
                2,
                "https://up.example/jwks",
                success,
                null,
                null,
                1,
                0,
                success.plusSeconds(1200),
                success.plusSeconds(86_400),
                false,
                0));
    AtomicBoolean draining = new AtomicBoolean();
    try (AdminServer admin =
        AdminServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            config,
            metrics,
            draining::get,
            Map.of(),
            null,
            () -> health)) {
      HttpResponse<String> ready = get(admin, "/healthz/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.headers().firstValue("content-type")).hasValue("application/json");
      JsonNode body = new ObjectMapper().readTree(ready.body());
      assertThat(body.get("status").asText()).isEqualTo("LIVE");
      JsonNode down = body.get("jwks").get(0);
      assertThat(down.get("issuer").asText()).isEqualTo("https://down.example");
      assertThat(down.get("uri").asText()).isEqualTo("https://down.example/jwks");
      assertThat(down.get("status").asText()).isEqualTo("FAILED");
      assertThat(down.get("keysLoaded").asInt()).isZero();
      assertThat(down.get("lastSuccess").isNull()).isTrue();
      assertThat(down.get("lastFailure").asText()).isEqualTo("2026-03-01T10:05:00Z");
      assertThat(down.get("lastError").asText()).isEqualTo("status 500");
      assertThat(down.get("waiting").asInt()).isEqualTo(4);
      JsonNode up = body.get("jwks").get(1);
      assertThat(up.get("status").asText()).isEqualTo("FRESH");
      assertThat(up.get("keysLoaded").asInt()).isEqualTo(2);
      assertThat(up.get("lastSuccess").asText()).isEqualTo("2026-03-01T10:00:00Z");
      assertThat(up.get("lastError").isNull()).isTrue();

      JsonNode dump = new ObjectMapper().readTree(get(admin, "/config_dump").body()).get("jwks");
      assertThat(dump.get(0).get("failureCount").asLong()).isEqualTo(3);
      assertThat(dump.get(0).get("description").asText())
          .isEqualTo("jwksUri https://down.example/jwks");
      assertThat(dump.get(1).get("keysUsableUntil").asText()).isEqualTo("2026-03-02T10:00:00Z");
      assertThat(dump.get(1).get("publishesSecretKeys").asBoolean()).isFalse();

      draining.set(true);
      HttpResponse<String> drainingReply = get(admin, "/healthz/ready");
      assertThat(drainingReply.statusCode()).isEqualTo(503);
      JsonNode drainingBody = new ObjectMapper().readTree(drainingReply.body());
      assertThat(drainingBody.get("status").asText()).isEqualTo("DRAINING");
      assertThat(drainingBody.get("jwks")).hasSize(2);
    }
  }
}
