package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dry-run policy's verdict is visible from the real `serve`: Envoy's `shadow_engine_result` and
 * `shadow_effective_policy_id` in the access log line, and `meshguard_authz_shadow_total` on the
 * admin listener; the request itself is not affected.
 */
class ServeDryRunIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static RawUpstream upstream;
  private static MeshguardProcess serve;
  private static InetSocketAddress proxy;
  private static InetSocketAddress admin;
  private static Path accessLog;

  @BeforeAll
  static void start() throws Exception {
    Path config = dir.resolve("dry-run.yaml");
    Files.writeString(
        config,
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: deny-admin
          namespace: foo
          annotations: {istio.io/dry-run: "true"}
        spec:
          action: DENY
          rules:
          - to: [{operation: {paths: [/public]}}]
          - to: [{operation: {paths: ["/admin*"]}}]
        """);
    accessLog = dir.resolve("access.log");
    upstream = new RawUpstream();
    serve =
        MeshguardProcess.start(
            "serve",
            "--config",
            config.toString(),
            "--namespace",
            "foo",
            "--upstream",
            upstream.url(),
            "--listen",
            "127.0.0.1:0",
            "--admin",
            "127.0.0.1:0",
            "--access-log",
            accessLog.toString());
    proxy = serve.listenAddress();
    admin = serve.adminAddress();
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      assertThat(serve.terminate()).isZero();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static RawHttp.Response get(String path, String requestId) throws Exception {
    return RawHttp.exchange(
        proxy,
        "GET "
            + path
            + " HTTP/1.1\r\nHost: shop\r\nx-request-id: "
            + requestId
            + "\r\nConnection: close\r\n\r\n");
  }

  /** The access log line of one request, waiting (bounded) for the writer thread. */
  private static JsonNode logLine(String requestId) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (Files.exists(accessLog)) {
        for (String line : Files.readAllLines(accessLog)) {
          JsonNode json = JSON.readTree(line);
          if (requestId.equals(json.path("request_id").asText())) {
            return json;
          }
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no access log line for " + requestId + "\n" + serve.transcript());
  }

  @Test
  void aMatchingDryRunDenyIsLoggedAndCountedButNotEnforced() throws Exception {
    RawHttp.Response r = get("/admin/users", "dry-1");
    assertThat(r.status()).isEqualTo(200);
    assertThat(upstream.requests.poll(10, TimeUnit.SECONDS)).isNotNull();
    JsonNode line = logLine("dry-1");
    assertThat(line.get("shadow_engine_result").asText()).isEqualTo("denied");
    assertThat(line.get("shadow_effective_policy_id").asText())
        .isEqualTo("ns[foo]-policy[deny-admin]-rule[1]");
    assertThat(line.get("status").asInt()).isEqualTo(200);
    assertThat(metrics())
        .contains(
            "meshguard_authz_shadow_total{policy=\"ns[foo]-policy[deny-admin]-rule[1]\","
                + "result=\"denied\"} 1.0");
  }

  @Test
  void aRequestTheDryRunDenyLetsThroughIsLoggedAsAllowed() throws Exception {
    assertThat(get("/other", "dry-2").status()).isEqualTo(200);
    JsonNode line = logLine("dry-2");
    assertThat(line.get("shadow_engine_result").asText()).isEqualTo("allowed");
    assertThat(line.get("shadow_effective_policy_id").isNull()).isTrue();
    assertThat(metrics())
        .contains("meshguard_authz_shadow_total{policy=\"none\",result=\"allowed\"}");
  }

  @Test
  void aBadRequestHasNoVerdict() throws Exception {
    assertThat(get("/a%00b", "dry-3").status()).isEqualTo(400);
    JsonNode line = logLine("dry-3");
    assertThat(line.get("shadow_engine_result").isNull()).isTrue();
    assertThat(line.get("shadow_effective_policy_id").isNull()).isTrue();
  }

  private static String metrics() throws Exception {
    RawHttp.Response r =
        RawHttp.exchange(
            admin, "GET /stats/prometheus HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    return r.body();
  }
}
