package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys from a real JWKS endpoint through the real `serve`: a slow first fetch under a crowd of
 * requests whose clients partly give up (security row 19), an endpoint answering 500 to tokens in a
 * header and a query parameter (row 20), key rotation without restart, and reloads that drop the
 * sources of removed rules; `/healthz/ready` and `/stats/prometheus` show the key health all along.
 */
class ServeRemoteKeysIT {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String NO_KEY_FOR_KID = "Jwks doesn't have key to match kid or alg from Jwt";
  private static final String FETCH_FAILED = "Jwks remote fetch is failed";
  private static final long GUARD_NANOS = TimeUnit.SECONDS.toNanos(60);

  @TempDir Path dir;

  // ---- configuration

  /** A RequestAuthentication for every workload of namespace `default`, with these rules. */
  private static String requestAuthentication(String name, String rules) {
    return """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: %s
          namespace: default
        spec:
          jwtRules:
        %s"""
        .formatted(name, rules.indent(2));
  }

  /** Only requests with a verified token pass: a 200 proves the token was checked. */
  private static final String TOKEN_REQUIRED =
      """
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata:
        name: token-required
        namespace: default
      spec:
        action: ALLOW
        rules:
        - from:
          - source:
              requestPrincipals: ["*"]
      """;

  private static void write(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static MeshguardProcess serve(Path config, EchoUpstream upstream, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "serve",
                "--config",
                config.toString(),
                "--upstream",
                upstream.url(),
                "--listen",
                "127.0.0.1:0",
                "--admin",
                "127.0.0.1:0"));
    args.addAll(List.of(more));
    return MeshguardProcess.start(args.toArray(String[]::new));
  }

  // ---- requests

  private static HttpResponse<String> get(InetSocketAddress to, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.getPort() + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static CompletableFuture<HttpResponse<String>> getAsync(
      InetSocketAddress to, String path, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.getPort() + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return CLIENT.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode ready(InetSocketAddress admin) throws Exception {
    HttpResponse<String> r = get(admin, "/healthz/ready");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode j = EchoUpstream.JSON.readTree(r.body());
    assertThat(j.get("status").asText()).isEqualTo("LIVE");
    return j;
  }

  /** The one source `/healthz/ready` lists. */
  private static JsonNode onlySource(InetSocketAddress admin) throws Exception {
    JsonNode jwks = ready(admin).get("jwks");
    assertThat(jwks).hasSize(1);
    return jwks.get(0);
  }

  private static String prometheus(InetSocketAddress admin) throws Exception {
    return get(admin, "/stats/prometheus").body();
  }

  /** The value of one Prometheus series, or fails when it is absent. */
  private static double metric(String text, String name, String issuer, String uri) {
    Matcher m =
        Pattern.compile(
                "^"
                    + Pattern.quote(name + "{issuer=\"" + issuer + "\",uri=\"" + uri + "\"}")
                    + " (\\S+)$",
                Pattern.MULTILINE)
            .matcher(text);
    assertThat(m.find()).as(name + " for " + issuer + " in\n" + text).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static String token(TestTokens keys, String kid, String issuer, String subject) {
    return keys.sign(kid, keys.claims().issuer(issuer).subject(subject).build());
  }

  private static long reloads(MeshguardProcess serve) {
    return serve.stderr.stream().filter(l -> l.equals("meshguard: configuration reloaded")).count();
  }

  /**
   * Lines printed on stderr that are not part of a clean run: configuration warnings (a loopback
   * `jwksUri`...), reloads and the stop are.
   */
  private List<String> problems(MeshguardProcess serve) {
    return serve.stderr.stream()
        .filter(l -> !(l.startsWith(dir.toString()) && l.contains(": warning: ")))
        .filter(l -> !l.equals("meshguard: configuration reloaded"))
        .filter(l -> !l.startsWith("meshguard: stopping, letting in-flight requests finish"))
        .filter(l -> !l.startsWith("meshguard serve: crypto provider: "))
        .toList();
  }

  // ---- tests

  /**
   * Security row 19 (Envoy CVE-2024-45809): a crowd of requests meets an issuer whose keys were
   * never fetched while the one fetch is slow, and a third of the clients give up midway (half of
   * them with a reset). `serve` sees every one of them wait and sees the third go; every client
   * that stayed gets its own 200 with its own claim header; the endpoint saw one fetch; the access
   * log has one line per client (0 for those that left); nothing went to stderr; `serve` stays
   * healthy.
   */
  @Test
  void slowFirstFetchUnderConcurrentRequestsWithDisconnectingClients() throws Exception {
    String issuer = "https://slow.meshguard.test";
    TestTokens keys = new TestTokens();
    Path config = dir.resolve("slow.yaml");
    Path accessLog = dir.resolve("access.log");
    try (JwksEndpoint idp = new JwksEndpoint().serve(keys.jwks("slow-1")).hold();
        EchoUpstream upstream = new EchoUpstream()) {
      // the timeout is a hang guard: the fetch is held until every request is in
      write(
          config,
          requestAuthentication(
                  "slow",
                  """
                  - issuer: %s
                    jwksUri: %s
                    timeout: 60s
                    outputPayloadToHeader: x-jwt-payload
                    outputClaimToHeaders:
                    - header: x-jwt-sub
                      claim: sub
                  """
                      .formatted(issuer, idp.url()))
              + TOKEN_REQUIRED);
      try (MeshguardProcess serve = serve(config, upstream, "--access-log", accessLog.toString())) {
        InetSocketAddress proxy = serve.listenAddress();
        InetSocketAddress admin = serve.adminAddress();
        idp.awaitFetches(1);
        assertThat(onlySource(admin).get("status").asText()).isEqualTo("LOADING");

        int clients = 200;
        int stayed = clients - gaveUpCount(clients);
        List<Socket> sockets = new ArrayList<>();
        try {
          for (int i = 0; i < clients; i++) {
            Socket s = new Socket(proxy.getAddress(), proxy.getPort());
            s.setSoTimeout(60_000);
            sockets.add(s);
            OutputStream out = s.getOutputStream();
            out.write(
                ("GET /items/"
                        + i
                        + " HTTP/1.1\r\nHost: app\r\nAuthorization: Bearer "
                        + token(keys, "slow-1", issuer, "user-" + i)
                        + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
          }
          awaitWaiting(admin, clients, serve); // every request is in, and waits for the keys
          for (int i = 0; i < clients; i += 3) {
            Socket s = sockets.get(i);
            if (i % 2 == 0) {
              s.setSoLinger(true, 0); // a reset rather than a clean close
            }
            s.close();
          }
          awaitWaiting(admin, stayed, serve); // those that left no longer wait
          assertThat(idp.fetches()).as("one fetch while they waited").isEqualTo(1);
          idp.release();

          for (int i = 0; i < clients; i++) {
            if (i % 3 == 0) {
              continue;
            }
            RawHttp.Response r = RawHttp.read(sockets.get(i).getInputStream());
            assertThat(r.status()).as("client %d: %s", i, r.body()).isEqualTo(200);
            JsonNode echo = EchoUpstream.JSON.readTree(r.body());
            assertThat(echo.get("uri").asText()).isEqualTo("/items/" + i);
            assertThat(EchoUpstream.header(echo, "x-jwt-sub")).isEqualTo("user-" + i);
            assertThat(EchoUpstream.header(echo, "authorization")).isNull();
          }
        } finally {
          for (Socket s : sockets) {
            s.close();
          }
        }

        assertThat(idp.fetches()).as("concurrent waiters share one fetch").isEqualTo(1);
        // in the access log: one line per client, 200 for those that stayed, 0 for those that
        // went away while waiting (every request had been read: they were all waiting)
        List<JsonNode> entries = awaitAccessLog(accessLog, stayed, serve);
        assertThat(entries).hasSize(clients);
        for (JsonNode entry : entries) {
          int client = Integer.parseInt(entry.get("path").asText().substring("/items/".length()));
          if (client % 3 == 0) {
            assertThat(entry.get("status").asInt()).as(entry.toString()).isZero();
          } else {
            assertThat(entry.get("status").asInt()).as(entry.toString()).isEqualTo(200);
            assertThat(entry.get("outcome").asText()).as(entry.toString()).isEqualTo("ALLOWED");
          }
        }
        assertThat(entries.stream().map(e -> e.get("path").asText()).distinct()).hasSize(clients);

        // still healthy: keys in use, a new request passes, no fetch more
        JsonNode source = onlySource(admin);
        assertThat(source.get("status").asText()).isEqualTo("FRESH");
        assertThat(source.get("keysLoaded").asInt()).isEqualTo(1);
        HttpResponse<String> after =
            get(
                proxy,
                "/after",
                "authorization",
                "Bearer " + token(keys, "slow-1", issuer, "late-user"));
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(idp.fetches()).isEqualTo(1);
        assertThat(problems(serve)).as(serve.transcript()).isEmpty();
        assertThat(serve.terminate()).isZero();
      }
    }
  }

  /** Waits until {@code n} requests wait for the only source's keys (a hang guard). */
  private static void awaitWaiting(InetSocketAddress admin, int n, MeshguardProcess serve)
      throws Exception {
    long deadline = System.nanoTime() + GUARD_NANOS;
    int waiting;
    while ((waiting = onlySource(admin).get("waiting").asInt()) != n) {
      assertThat(System.nanoTime())
          .as("%d of %d requests waiting\n%s", waiting, n, serve.transcript())
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** Clients 0, 3, 6… give up. */
  private static int gaveUpCount(int clients) {
    return (clients + 2) / 3;
  }

  /** The access log's entries once at least {@code ok} of them are 200s (written after replies). */
  private static List<JsonNode> awaitAccessLog(Path file, int ok, MeshguardProcess serve)
      throws Exception {
    long deadline = System.nanoTime() + GUARD_NANOS;
    while (true) {
      List<JsonNode> entries = new ArrayList<>();
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          if (line.startsWith("{") && line.endsWith("}")) {
            entries.add(EchoUpstream.JSON.readTree(line));
          }
        }
      }
      long okCount = entries.stream().filter(e -> e.get("status").asInt() == 200).count();
      if (okCount >= ok) {
        return entries;
      }
      assertThat(System.nanoTime())
          .as("%d of %d access log lines with status 200\n%s", okCount, ok, serve.transcript())
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /**
   * Security row 20 (Envoy CVE-2025-64527): the endpoint answers 500 (slowly: held until every
   * request waits) and tokens come in a header, a query parameter or both. All the requests share
   * the one fetch, every one gets the same 401 with `www-authenticate`, requests without a token
   * pass, readiness stays up and shows the failure, and nothing goes to stderr.
   */
  @Test
  void endpointAnswering500RejectsEveryTokenTheSameWayAndMergesFetches() throws Exception {
    String issuer = "https://outage.meshguard.test";
    TestTokens keys = new TestTokens();
    Path config = dir.resolve("outage.yaml");
    try (JwksEndpoint idp = new JwksEndpoint().fail(500).hold();
        EchoUpstream upstream = new EchoUpstream()) {
      // the timeout is a hang guard: the answer is held until every request waits, then released
      write(
          config,
          requestAuthentication(
              "outage",
              """
              - issuer: %s
                jwksUri: %s
                timeout: 60s
                fromHeaders:
                - name: x-jwt-assertion
                fromParams:
                - access_token
              """
                  .formatted(issuer, idp.url())));
      try (MeshguardProcess serve = serve(config, upstream, "--access-log", "off")) {
        InetSocketAddress proxy = serve.listenAddress();
        InetSocketAddress admin = serve.adminAddress();

        int requests = 120;
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
          String a = token(keys, "outage-1", issuer, "user-" + i);
          String b = token(keys, "outage-1", issuer, "other-" + i);
          answers.add(
              switch (i % 3) {
                case 0 -> getAsync(proxy, "/api/0", "x-jwt-assertion", a);
                case 1 -> getAsync(proxy, "/api/1?access_token=" + a);
                default -> getAsync(proxy, "/api/2?access_token=" + b, "x-jwt-assertion", a);
              });
        }
        try {
          awaitWaiting(admin, requests, serve);
          assertThat(idp.fetches()).as("every request waits for the one fetch").isEqualTo(1);
          idp.release();
          for (CompletableFuture<HttpResponse<String>> f : answers) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.uri().toString()).isEqualTo(401);
            assertThat(r.body()).isEqualTo(FETCH_FAILED);
            assertThat(r.headers().firstValue("www-authenticate").orElse(""))
                .startsWith("Bearer realm=\"http://127.0.0.1:" + proxy.getPort() + "/api/")
                .endsWith("error=\"invalid_token\"");
          }
        } finally {
          answers.forEach(f -> f.cancel(true));
        }
        upstream.received.clear();
        for (int i = 0; i < 5; i++) {
          assertThat(get(proxy, "/open/" + i).statusCode()).isEqualTo(200);
        }
        assertThat(upstream.received).hasSize(5);

        JsonNode source = onlySource(admin);
        assertThat(source.get("issuer").asText()).isEqualTo(issuer);
        assertThat(source.get("uri").asText()).isEqualTo(idp.url());
        assertThat(source.get("status").asText()).isEqualTo("FAILED");
        assertThat(source.get("keysLoaded").asInt()).isZero();
        assertThat(source.get("lastSuccess").isNull()).isTrue();
        assertThat(source.get("lastError").asText()).isEqualTo("http status 500");
        String metrics = prometheus(admin);
        assertThat(metric(metrics, "meshguard_jwks_up", issuer, idp.url())).isZero();
        assertThat(metric(metrics, "meshguard_jwks_keys", issuer, idp.url())).isZero();
        assertThat(metric(metrics, "meshguard_jwks_fetch_failures_total", issuer, idp.url()))
            .isPositive();
        assertThat(metrics).contains("meshguard_jwt_failures_total{reason=\"JWKS_FETCH_FAIL\"}");
        assertThat(problems(serve)).as(serve.transcript()).isEmpty();
        assertThat(serve.terminate()).isZero();
      }
    }
  }

  /**
   * The identity provider rotates to a new key with a new `kid`: a token signed with it is accepted
   * within seconds, without a restart (the unknown `kid` forces a rate-limited refetch); the
   * withdrawn key's tokens are then refused. Readiness and metrics show the key health.
   */
  @Test
  void rotatedKeyIsAcceptedWithoutRestartAndTheHealthShowsIt() throws Exception {
    String issuer = "https://rotating.meshguard.test";
    TestTokens oldKey = new TestTokens();
    TestTokens newKey = new TestTokens();
    Path config = dir.resolve("rotating.yaml");
    try (JwksEndpoint idp = new JwksEndpoint().serve(oldKey.jwks("2026-01"));
        EchoUpstream upstream = new EchoUpstream()) {
      write(
          config,
          requestAuthentication(
                  "rotating",
                  """
                  - issuer: %s
                    jwksUri: %s
                    outputClaimToHeaders:
                    - header: x-jwt-sub
                      claim: sub
                  """
                      .formatted(issuer, idp.url()))
              + TOKEN_REQUIRED);
      try (MeshguardProcess serve = serve(config, upstream, "--access-log", "off")) {
        InetSocketAddress proxy = serve.listenAddress();
        InetSocketAddress admin = serve.adminAddress();
        String before = token(oldKey, "2026-01", issuer, "alice");
        assertThat(get(proxy, "/a", "authorization", "Bearer " + before).statusCode())
            .isEqualTo(200);

        idp.serve(newKey.jwks("2026-02"));
        String rotated = token(newKey, "2026-02", issuer, "bob");
        long deadline = System.nanoTime() + GUARD_NANOS;
        HttpResponse<String> r;
        while ((r = get(proxy, "/b", "authorization", "Bearer " + rotated)).statusCode() != 200) {
          // until the rate limit lets the refetch happen, the new kid is unknown
          assertThat(r.statusCode()).isEqualTo(401);
          assertThat(r.body()).isEqualTo(NO_KEY_FOR_KID);
          assertThat(System.nanoTime()).as("the new key was never accepted").isLessThan(deadline);
          Thread.sleep(100);
        }
        assertThat(EchoUpstream.header(EchoUpstream.JSON.readTree(r.body()), "x-jwt-sub"))
            .isEqualTo("bob");
        HttpResponse<String> withdrawn = get(proxy, "/c", "authorization", "Bearer " + before);
        assertThat(withdrawn.statusCode()).isEqualTo(401);
        assertThat(withdrawn.body()).isEqualTo(NO_KEY_FOR_KID);
        assertThat(serve.stdout.stream().filter(l -> l.contains("listening on")))
            .as("no restart")
            .hasSize(1);
        assertThat(serve.process.isAlive()).isTrue();

        JsonNode source = onlySource(admin);
        assertThat(source.get("issuer").asText()).isEqualTo(issuer);
        assertThat(source.get("uri").asText()).isEqualTo(idp.url());
        assertThat(source.get("status").asText()).isEqualTo("FRESH");
        assertThat(source.get("keysLoaded").asInt()).isEqualTo(1);
        assertThat(source.get("lastSuccess").asText()).isNotBlank();
        assertThat(source.get("lastError").isNull()).isTrue();
        String metrics = prometheus(admin);
        assertThat(metric(metrics, "meshguard_jwks_up", issuer, idp.url())).isEqualTo(1.0);
        assertThat(metric(metrics, "meshguard_jwks_keys", issuer, idp.url())).isEqualTo(1.0);
        assertThat(metric(metrics, "meshguard_jwks_fetches_total", issuer, idp.url()))
            .isGreaterThanOrEqualTo(2.0)
            .isLessThanOrEqualTo(idp.fetches());
        assertThat(metric(metrics, "meshguard_jwks_fetch_failures_total", issuer, idp.url()))
            .isZero();
        assertThat(
                metric(metrics, "meshguard_jwks_last_success_timestamp_seconds", issuer, idp.url()))
            .isPositive();
        assertThat(problems(serve)).as(serve.transcript()).isEmpty();
        assertThat(serve.terminate()).isZero();
      }
    }
  }

  /**
   * A reload that removes a rule drops its source: it leaves `/healthz/ready` and the metrics (and
   * stops refreshing), while the sources still in use keep their keys without fetching again.
   */
  @Test
  void reloadDropsTheSourcesOfRemovedRules() throws Exception {
    String kept = "https://kept.meshguard.test";
    String removed = "https://removed.meshguard.test";
    TestTokens keys = new TestTokens();
    Path configDir = Files.createDirectories(dir.resolve("reload"));
    try (JwksEndpoint keptIdp = new JwksEndpoint().serve(keys.jwks("kept-1"));
        JwksEndpoint removedIdp = new JwksEndpoint().fail(503);
        EchoUpstream upstream = new EchoUpstream()) {
      String keptRule =
          """
          - issuer: %s
            jwksUri: %s
          """
              .formatted(kept, keptIdp.url());
      String removedRule =
          """
          - issuer: %s
            jwksUri: %s
          """
              .formatted(removed, removedIdp.url());
      Path file = configDir.resolve("jwt.yaml");
      write(file, requestAuthentication("jwt", keptRule + removedRule));
      try (MeshguardProcess serve =
          serve(configDir, upstream, "--access-log", "off", "--reload-poll-interval", "200ms")) {
        InetSocketAddress proxy = serve.listenAddress();
        InetSocketAddress admin = serve.adminAddress();
        String token = token(keys, "kept-1", kept, "alice");
        assertThat(get(proxy, "/x", "authorization", "Bearer " + token).statusCode())
            .isEqualTo(200);
        removedIdp.awaitFetches(1);
        assertThat(ready(admin).get("jwks")).hasSize(2);
        assertThat(prometheus(admin)).contains("issuer=\"" + removed + "\"");
        int keptFetches = keptIdp.fetches();

        long reloads = reloads(serve);
        write(file, requestAuthentication("jwt", keptRule));
        long deadline = System.nanoTime() + GUARD_NANOS;
        while (reloads(serve) == reloads) {
          assertThat(System.nanoTime()).as("no reload\n" + serve.transcript()).isLessThan(deadline);
          Thread.sleep(20);
        }
        JsonNode source = onlySource(admin);
        assertThat(source.get("issuer").asText()).isEqualTo(kept);
        assertThat(source.get("status").asText()).isEqualTo("FRESH");
        assertThat(prometheus(admin))
            .doesNotContain("issuer=\"" + removed + "\"")
            .contains("meshguard_jwks_up{issuer=\"" + kept + "\"");
        assertThat(get(proxy, "/y", "authorization", "Bearer " + token).statusCode())
            .isEqualTo(200);
        assertThat(keptIdp.fetches()).as("the kept source keeps its keys").isEqualTo(keptFetches);
        assertThat(problems(serve)).as(serve.transcript()).isEmpty();
        assertThat(serve.terminate()).isZero();
      }
    }
  }
}
