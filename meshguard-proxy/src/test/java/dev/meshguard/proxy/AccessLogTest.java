package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshguard.runtime.MeshguardMetrics;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {
  private static final AccessLogEntry ENTRY =
      new AccessLogEntry(
          Instant.parse("2026-01-02T03:04:05.678Z"),
          "rid",
          "203.0.113.9",
          "GET",
          "shop",
          "/api/v1/products/0?x=\"q\"",
          403,
          "DENIED_AUTHORIZATION",
          "istio-system/test-exclude",
          null,
          "RBAC: access denied",
          null,
          null,
          1.23456);

  @Test
  void formatsOneJsonObjectPerLineWithEveryField() throws Exception {
    String line = AccessLog.format(ENTRY);
    assertThat(line).doesNotContain("\n");
    JsonNode j = new ObjectMapper().readTree(line);
    assertThat(j.get("time").asText()).isEqualTo("2026-01-02T03:04:05.678Z");
    assertThat(j.get("method").asText()).isEqualTo("GET");
    assertThat(j.get("path").asText()).isEqualTo("/api/v1/products/0?x=\"q\"");
    assertThat(j.get("status").asInt()).isEqualTo(403);
    assertThat(j.get("outcome").asText()).isEqualTo("DENIED_AUTHORIZATION");
    assertThat(j.get("policy").asText()).isEqualTo("istio-system/test-exclude");
    assertThat(j.get("principal").isNull()).isTrue();
    assertThat(j.get("reason").asText()).isEqualTo("RBAC: access denied");
    assertThat(j.get("upstream_status").isNull()).isTrue();
    assertThat(j.get("duration_ms").asDouble()).isEqualTo(1.235);
    assertThat(j.get("request_id").asText()).isEqualTo("rid");
    assertThat(j.get("client").asText()).isEqualTo("203.0.113.9");
  }

  @Test
  void writesToStdoutOrAFileAndFlushesOnClose(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    try (AccessLog log = AccessLog.open("stdout", stdout, new MeshguardMetrics())) {
      log.log(ENTRY);
      log.log(ENTRY);
    }
    assertThat(stdout.toString(StandardCharsets.UTF_8).split("\n")).hasSize(2);

    Path file = dir.resolve("access.log");
    try (AccessLog log = AccessLog.open(file.toString(), stdout, new MeshguardMetrics())) {
      log.log(ENTRY);
    }
    try (AccessLog log = AccessLog.open(file.toString(), stdout, new MeshguardMetrics())) {
      log.log(ENTRY);
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("{\"time\""));

    ByteArrayOutputStream none = new ByteArrayOutputStream();
    try (AccessLog log = AccessLog.open("off", none, new MeshguardMetrics())) {
      log.log(ENTRY);
    }
    assertThat(none.size()).isZero();
  }

  @Test
  void anEntryThatCannotBeEncodedDoesNotStopTheLog(@TempDir Path dir) throws Exception {
    AccessLogEntry odd =
        new AccessLogEntry(
            ENTRY.time(),
            null,
            null,
            "GET",
            "h\udce9",
            "/caf\udce9",
            400,
            "MALFORMED",
            null,
            null,
            null,
            null,
            null,
            0.1);
    Path file = dir.resolve("access.log");
    try (AccessLog log = AccessLog.open(file.toString(), System.out, new MeshguardMetrics())) {
      log.log(odd);
      log.log(ENTRY);
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).contains("\"status\":403");
  }
}
