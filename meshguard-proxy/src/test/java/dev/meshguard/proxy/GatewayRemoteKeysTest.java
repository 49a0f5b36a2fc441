package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.meshguard.engine.Workload;
import dev.meshguard.jwks.JwksSourceHealth;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.FilePolicyLoader;
import dev.meshguard.runtime.LoadResult;
import dev.meshguard.testing.TestKeys;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway with real remote key sources: their health in `/healthz/ready`, `/config_dump` and
 * `/stats/prometheus`, and after each reload only the sources of the configuration in force.
 */
class GatewayRemoteKeysTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UP = "https://up.example";
  private static final String DOWN = "https://down.example";
  private static final String LATER = "https://later.example";

  private final HttpClient client = HttpClient.newHttpClient();
  private HttpServer idp;
  private int closedPort;
  private RemoteJwksSources keys;
  private final List<String> asked = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startIdentityProvider() throws Exception {
    String jwks = TestKeys.jwks(TestKeys.key("k1"));
    byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
    idp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    idp.createContext(
        "/",
        ex -> {
          try (ex) {
            ex.getResponseHeaders().set("content-type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(body);
            }
          }
        });
    idp.start();
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    keys = new RemoteJwksSources(RemoteJwksOptions.defaults());
  }

  @AfterEach
  void stop() {
    keys.close();
    idp.stop(0);
  }

  private String upUri() {
    return "http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks";
  }

  private String downUri() {
    return "http://127.0.0.1:" + closedPort + "/jwks";
  }

  private static String rules(String... rules) {
    StringBuilder sb =
        new StringBuilder(
            """
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata:
              name: jwt
              namespace: default
            spec:
              jwtRules:
            """);
    for (String rule : rules) {
      sb.append(rule);
    }
    return sb.toString();
  }

  private static String remote(String issuer, String uri) {
    return "  - issuer: " + issuer + "\n    jwksUri: " + uri + "\n";
  }

  private JsonNode get(InetSocketAddress admin, String path, int status) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  private String metrics(InetSocketAddress admin) throws Exception {
    return client
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin.getPort() + "/stats/prometheus"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Waits until no source is still loading; a hang guard, not a timing assertion. */
  private void awaitFirstFetches() throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (keys.health().stream().anyMatch(h -> h.status() == JwksSourceHealth.Status.LOADING)) {
      assertThat(System.nanoTime()).as("first fetches never finished").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void reportsTheSourcesInForceAndStopsTheOthersAfterEachReload(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("jwt.yaml");
    Files.writeString(file, rules(remote(UP, upUri()), remote(DOWN, downUri())));
    FilePolicyLoader loader =
        new FilePolicyLoader(
            List.of(file),
            null,
            null,
            new Workload("default", Map.of()),
            (rule, config) -> {
              asked.add(rule.issuer());
              return keys.remote(rule, config);
            },
            true);
    LoadResult initial = loader.load();
    assertThat(initial.errors()).isEmpty();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Gateway gateway =
        Gateway.start(
            loader,
            initial,
            new Gateway.Settings(
                ProxyOptions.builder(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        UpstreamTarget.parse("http://127.0.0.1:" + closedPort))
                    .ioThreads(1)
                    .build(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                "off",
                null,
                null,
                Map.of(),
                null,
                keys),
            Decider.engine(Clock.systemUTC()),
            OutputStream.nullOutputStream(),
            new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      InetSocketAddress admin = gateway.adminAddress();
      awaitFirstFetches();

      // one issuer down: readiness stays 200 and says which
      JsonNode ready = get(admin, "/healthz/ready", 200);
      assertThat(ready.get("status").asText()).isEqualTo("LIVE");
      assertThat(ready.get("jwks")).hasSize(2);
      JsonNode down = ready.get("jwks").get(0);
      assertThat(down.get("issuer").asText()).isEqualTo(DOWN);
      assertThat(down.get("uri").asText()).isEqualTo(downUri());
      assertThat(down.get("status").asText()).isEqualTo("FAILED");
      assertThat(down.get("lastError").asText()).isNotBlank();
      JsonNode up = ready.get("jwks").get(1);
      assertThat(up.get("issuer").asText()).isEqualTo(UP);
      assertThat(up.get("status").asText()).isEqualTo("FRESH");
      assertThat(up.get("keysLoaded").asInt()).isEqualTo(1);
      assertThat(up.get("lastSuccess").asText()).isNotBlank();

      String upTags = "{issuer=\"" + UP + "\",uri=\"" + upUri() + "\"}";
      String downTags = "{issuer=\"" + DOWN + "\",uri=\"" + downUri() + "\"}";
      assertThat(metrics(admin))
          .contains("meshguard_jwks_up" + upTags + " 1.0")
          .contains("meshguard_jwks_keys" + upTags + " 1.0")
          .contains("meshguard_jwks_fetches_total" + upTags + " 1.0")
          .contains("meshguard_jwks_up" + downTags + " 0.0")
          .contains("meshguard_jwks_last_success_timestamp_seconds" + downTags + " 0.0");
      assertThat(get(admin, "/config_dump", 200).get("jwks")).hasSize(2);

      // the rule of the issuer that is down is removed: its source stops and leaves every report
      Files.writeString(file, rules(remote(UP, upUri())));
      assertThat(gateway.config().reload()).isTrue();
      assertThat(keys.health()).extracting(JwksSourceHealth::issuer).containsExactly(UP);
      assertThat(get(admin, "/healthz/ready", 200).get("jwks"))
          .singleElement()
          .satisfies(j -> assertThat(j.get("issuer").asText()).isEqualTo(UP));
      assertThat(metrics(admin))
          .contains("meshguard_jwks_up" + upTags + " 1.0")
          .doesNotContain(DOWN);

      // a rejected reload's new sources are not kept either (the kept configuration does not use
      // them)
      Files.writeString(
          file,
          rules(
              remote(UP, upUri()),
              remote(LATER, upUri() + "/later"),
              "  - issuer: https://broken.example\n    jwks: 'not json'\n"));
      asked.clear();
      assertThat(gateway.config().reload()).isFalse();
      assertThat(asked).as("the rejected load did create sources").contains(LATER);
      assertThat(keys.health()).extracting(JwksSourceHealth::issuer).containsExactly(UP);
      assertThat(metrics(admin)).doesNotContain(LATER);
      assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain("after reload");
    } finally {
      gateway.close();
    }
  }
}
