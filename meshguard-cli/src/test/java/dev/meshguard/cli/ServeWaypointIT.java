package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real `serve --service httpbin` stands where an Istio waypoint stands: policies attach by
 * `targetRefs` to the Service, selectors are ignored, and its `presence: REQUIRED` rule answers a
 * request without a token with 401 `Jwt is missing`. `check` with the same options agrees, and
 * without `--service` it is a sidecar, where the selector policy applies instead.
 */
class ServeWaypointIT {
  private static final TestTokens TOKENS = new TestTokens();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static Path config;
  private static RawUpstream upstream;
  private static MeshguardProcess serve;
  private static InetSocketAddress proxy;

  @BeforeAll
  static void start() throws Exception {
    config = WaypointConfig.write(dir, TOKENS);
    upstream = new RawUpstream();
    serve =
        MeshguardProcess.start(
            "serve",
            "--config",
            config.toString(),
            "--namespace",
            WaypointConfig.NAMESPACE,
            "--labels",
            "app=httpbin",
            "--service",
            WaypointConfig.SERVICE,
            "--upstream",
            upstream.url(),
            "--listen",
            "127.0.0.1:0",
            "--access-log",
            "off");
    proxy = serve.listenAddress();
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

  @BeforeEach
  void clear() {
    upstream.requests.clear();
  }

  private static RawHttp.Response get(String path, String token) throws Exception {
    return RawHttp.exchange(
        proxy,
        "GET "
            + path
            + " HTTP/1.1\r\nHost: shop\r\n"
            + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
            + "Connection: close\r\n\r\n");
  }

  @Test
  void aRequestWithoutTheRequiredTokenIsRejectedAsEnvoyRejectsAMissingToken() throws Exception {
    RawHttp.Response r = get("/headers?x=1", null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("Jwt is missing");
    assertThat(r.header("www-authenticate")).isEqualTo("Bearer realm=\"http://shop/headers?x=1\"");
    assertThat(upstream.requests).isEmpty();
  }

  @Test
  void withTheTokenTheSelectorPolicyDoesNotApplyToTheWaypoint() throws Exception {
    RawHttp.Response r = get("/headers", TOKENS.valid("alice", Map.of()));
    assertThat(r.status()).isEqualTo(200);
    assertThat(upstream.requests.poll(10, TimeUnit.SECONDS)).isNotNull();
  }

  @Test
  void thePolicyTargetingTheServiceApplies() throws Exception {
    RawHttp.Response r = get("/blocked", TOKENS.valid("alice", Map.of()));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("RBAC: access denied");
  }

  @Test
  void checkWithTheSameOptionsAgreesAndWithoutServiceIsASidecar() throws Exception {
    String token = TOKENS.valid("alice", Map.of());
    JsonNode waypoint = check("--service", "Service/httpbin", "--path", "/headers");
    assertThat(waypoint.get("status").asInt()).isEqualTo(401);
    assertThat(waypoint.get("reason").asText()).isEqualTo("Jwt is missing");
    JsonNode allowed =
        check(
            "--service",
            "httpbin",
            "--path",
            "/audit-me",
            "--header",
            "Authorization: Bearer " + token);
    assertThat(allowed.get("status").asInt()).isEqualTo(200);
    assertThat(allowed.get("shadow_engine_result").asText()).isEqualTo("denied");
    assertThat(allowed.get("shadow_effective_policy_id").asText())
        .isEqualTo(WaypointConfig.DRY_RUN_RULE);
    JsonNode sidecar = check("--path", "/headers");
    assertThat(sidecar.get("status").asInt()).isEqualTo(403);
    assertThat(sidecar.get("policy").asText()).isEqualTo("foo/selector-deny-all");
  }

  @Test
  void aServiceOfAnotherKindIsAUsageError() throws Exception {
    try (MeshguardProcess p =
        MeshguardProcess.start(
            "serve",
            "--config",
            config.toString(),
            "--service",
            "Gateway/httpbin",
            "--upstream",
            upstream.url(),
            "--listen",
            "127.0.0.1:0")) {
      assertThat(p.awaitExit()).isEqualTo(2);
      assertThat(String.join("\n", p.stderr)).contains("must be Service or ServiceEntry");
    }
  }

  /** `meshguard check --json` through the jar, for the waypoint's workload plus {@code args}. */
  private static JsonNode check(String... args) throws Exception {
    List<String> all = new ArrayList<>();
    all.add("check");
    all.add("--config=" + config);
    all.add("--namespace=" + WaypointConfig.NAMESPACE);
    all.add("--labels=app=httpbin");
    all.add("--host=shop");
    all.add("--json");
    all.addAll(List.of(args));
    try (MeshguardProcess p = MeshguardProcess.start(all.toArray(String[]::new))) {
      int exit = p.awaitExit();
      assertThat(exit).as(p.transcript()).isIn(0, 1);
      return JSON.readTree(String.join("\n", p.stdout));
    }
  }
}
