package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    ProxyMetrics metrics = new ProxyMetrics();
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
}
