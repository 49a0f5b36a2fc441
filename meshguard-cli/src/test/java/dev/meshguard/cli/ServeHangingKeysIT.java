package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: one slow identity provider must not stall everyone. A `jwksUri` endpoint that accepts
 * and never answers, and more requests carrying its tokens than `serve` has threads: they wait for
 * the keys without a thread, while a token-less request to an open path and requests for another
 * issuer are answered at once. Envoy never blocks unrelated requests on a fetch.
 */
class ServeHangingKeysIT {
  private static final String HANGING = HangingIssuer.HANGING;
  private static final String INLINE = HangingIssuer.INLINE;
  private static final long GUARD_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(30))
          .build();

  private static final int HELD = HangingIssuer.HELD;

  @TempDir Path dir;

  private static HttpResponse<String> get(InetSocketAddress to, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.getPort() + path))
            .timeout(Duration.ofSeconds(30)); // a hang guard: a stalled request fails the test
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** What `/healthz/ready` says of the hanging issuer's source. */
  private static JsonNode hangingSource(InetSocketAddress admin) throws Exception {
    JsonNode ready = EchoUpstream.JSON.readTree(get(admin, "/healthz/ready").body());
    for (JsonNode source : ready.get("jwks")) {
      if (source.get("issuer").asText().equals(HANGING)) {
        return source;
      }
    }
    throw new AssertionError("no source for " + HANGING + " in " + ready);
  }

  /** Waits until {@code n} requests wait for the hanging issuer's keys (a hang guard). */
  private static void awaitWaiting(InetSocketAddress admin, int n, MeshguardProcess serve)
      throws Exception {
    long deadline = System.nanoTime() + GUARD_NANOS;
    int waiting;
    while ((waiting = hangingSource(admin).get("waiting").asInt()) != n) {
      assertThat(System.nanoTime())
          .as("%d of %d requests waiting\n%s", waiting, n, serve.transcript())
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private MeshguardProcess serve(Path config, EchoUpstream upstream) {
    return MeshguardProcess.start(
        "serve",
        "--config",
        config.toString(),
        "--upstream",
        upstream.url(),
        "--listen",
        "127.0.0.1:0",
        "--admin",
        "127.0.0.1:0",
        "--access-log",
        "off");
  }

  /** Sends one request per socket for the hanging issuer; the sockets wait for their answers. */
  private static List<Socket> sendHeld(InetSocketAddress proxy, TestTokens keys) throws Exception {
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < HELD; i++) {
      Socket s = new Socket(proxy.getAddress(), proxy.getPort());
      s.setSoTimeout(60_000); // a hang guard
      sockets.add(s);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /api/held/"
                  + i
                  + " HTTP/1.1\r\nHost: app\r\nAuthorization: Bearer "
                  + HangingIssuer.token(keys, HANGING, "held-" + i)
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }
    return sockets;
  }

  private static void assertFetchFailed(RawHttp.Response r, int i) {
    assertThat(r.status()).as("held request %d: %s", i, r.body()).isEqualTo(401);
    assertThat(r.body()).isEqualTo(HangingIssuer.FETCH_FAILED);
    assertThat(r.header("www-authenticate"))
        .isEqualTo("Bearer realm=\"http://app/api/held/" + i + "\", error=\"invalid_token\"");
  }

  private List<String> problems(MeshguardProcess serve) {
    return serve.stderr.stream()
        .filter(l -> !(l.startsWith(dir.toString()) && l.contains(": warning: ")))
        .filter(l -> !l.startsWith("meshguard: stopping, letting in-flight requests finish"))
        .filter(l -> !l.startsWith("meshguard serve: crypto provider: "))
        .toList();
  }

  @Test
  void aHangingKeyEndpointStallsNoOtherRequest() throws Exception {
    TestTokens hangingKeys = new TestTokens();
    TestTokens inlineKeys = new TestTokens();
    Path config = dir.resolve("jwt.yaml");
    try (SilentEndpoint idp = new SilentEndpoint();
        EchoUpstream upstream = new EchoUpstream()) {
      // 60 s: the rule's timeout never ends a wait here; the test releases the endpoint first
      Files.writeString(config, HangingIssuer.policies(idp.url(), "60s", inlineKeys));
      try (MeshguardProcess serve = serve(config, upstream)) {
        InetSocketAddress proxy = serve.listenAddress();
        InetSocketAddress admin = serve.adminAddress();
        idp.awaitConnections(1); // the first fetch, started with the configuration
        List<Socket> held = sendHeld(proxy, hangingKeys);
        try {
          awaitWaiting(admin, HELD, serve);

          // while every one of them waits, and the one fetch hangs:
          HttpResponse<String> open = get(proxy, "/open/page");
          assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
          HttpResponse<String> inline =
              get(
                  proxy,
                  "/api/x",
                  "authorization",
                  "Bearer " + HangingIssuer.token(inlineKeys, INLINE, "bob"));
          assertThat(inline.statusCode()).as(inline.body()).isEqualTo(200);
          assertThat(EchoUpstream.header(EchoUpstream.JSON.readTree(inline.body()), "x-jwt-sub"))
              .isEqualTo("bob");
          HttpResponse<String> noToken = get(proxy, "/api/x");
          assertThat(noToken.statusCode()).isEqualTo(403);
          assertThat(noToken.body()).isEqualTo("RBAC: access denied");

          JsonNode source = hangingSource(admin);
          assertThat(source.get("waiting").asInt()).as("still held").isEqualTo(HELD);
          assertThat(source.get("status").asText()).isEqualTo("LOADING");
          assertThat(idp.connections()).as("the waiting requests share one fetch").isEqualTo(1);

          idp.release(); // the fetch fails: every waiting request gets Envoy's answer for it
          for (int i = 0; i < HELD; i++) {
            assertFetchFailed(RawHttp.read(held.get(i).getInputStream()), i);
          }
        } finally {
          for (Socket s : held) {
            s.close();
          }
        }
        assertThat(hangingSource(admin).get("waiting").asInt()).isZero();
        assertThat(upstream.received)
            .as("only the open and the inline-token requests reached the upstream")
            .hasSize(2);
        assertThat(problems(serve)).as(serve.transcript()).isEmpty();
        assertThat(serve.terminate()).isZero();
      }
    }
  }

  @Test
  void requestsForAHangingEndpointGetFetchFailedAtTheirRulesTimeout() throws Exception {
    TestTokens hangingKeys = new TestTokens();
    TestTokens inlineKeys = new TestTokens();
    Path config = dir.resolve("jwt.yaml");
    try (SilentEndpoint idp = new SilentEndpoint();
        EchoUpstream upstream = new EchoUpstream()) {
      Files.writeString(config, HangingIssuer.policies(idp.url(), "1s", inlineKeys));
      try (MeshguardProcess serve = serve(config, upstream)) {
        InetSocketAddress proxy = serve.listenAddress();
        idp.awaitConnections(1);
        List<Socket> held = sendHeld(proxy, hangingKeys);
        try {
          // never released: the answers come from the rule's timeout (1 s), not from the endpoint
          for (int i = 0; i < HELD; i++) {
            assertFetchFailed(RawHttp.read(held.get(i).getInputStream()), i);
          }
        } finally {
          for (Socket s : held) {
            s.close();
          }
        }
        assertThat(get(proxy, "/open/after").statusCode()).isEqualTo(200);
        InetSocketAddress admin = serve.adminAddress();
        assertThat(hangingSource(admin).get("waiting").asInt()).isZero();
        long deadline = System.nanoTime() + GUARD_NANOS;
        while (hangingSource(admin).get("lastError").isNull()) {
          assertThat(System.nanoTime()).as("the fetch never failed").isLessThan(deadline);
          Thread.sleep(20);
        }
        assertThat(hangingSource(admin).get("lastError").asText())
            .startsWith("timed out after 1000 ms");
        assertThat(problems(serve)).as(serve.transcript()).isEmpty();
        assertThat(serve.terminate()).isZero();
      }
    }
  }
}
