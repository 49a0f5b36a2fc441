package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.runtime.Decider;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@SuppressWarnings("StringConcatToTextBlock") // requests are CRLF wire text
class ProxyServerTest {
  private TestUpstream upstream;
  private ProxyHarness h;

  @BeforeEach
  void start() throws IOException {
    upstream = new TestUpstream();
    h = new ProxyHarness(upstream.target());
  }

  @AfterEach
  void stop() {
    h.close();
    upstream.close();
  }

  private static JsonNode json(String body) throws IOException {
    return TestUpstream.JSON.readTree(body);
  }

  @Test
  void forwardsAllowedRequestsWithEnvoysForwardingHeaders() throws Exception {
    try (RawHttp c = h.raw()) {
      c.send(
          "GET /hello?x=1 HTTP/1.1\r\n"
              + "Host: shop.example:8080\r\n"
              + "X-Forwarded-For: 203.0.113.7\r\n"
              + "X-Envoy-Original-Path: /admin\r\n"
              + "x-envoy-internal: true\r\n"
              + "X-Forwarded-Client-Cert: By=spiffe://evil\r\n"
              + "Connection: keep-alive, X-Secret\r\n"
              + "X-Secret: hop\r\n"
              + "Keep-Alive: timeout=5\r\n"
              + "Upgrade: websocket\r\n"
              + "X-Kept: yes\r\n"
              + "\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("x-upstream")).isEqualTo("echo");
    }
    TestUpstream.Received got = upstream.received.poll(5, TimeUnit.SECONDS);
    assertThat(got.uri()).isEqualTo("/hello?x=1");
    assertThat(got.header("host")).isEqualTo("shop.example:8080");
    assertThat(got.header("x-forwarded-for")).isEqualTo("203.0.113.7,127.0.0.1");
    assertThat(got.header("x-forwarded-proto")).isEqualTo("http");
    assertThat(got.header("x-request-id"))
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(got.header("x-kept")).isEqualTo("yes");
    for (String gone :
        new String[] {
          "x-envoy-original-path",
          "x-envoy-internal",
          "x-forwarded-client-cert",
          "x-secret",
          "keep-alive",
          "upgrade"
        }) {
      assertThat(got.header(gone)).as(gone).isNull();
    }
  }

  @Test
  void theEngineSeesTheHeadersTheUpstreamGets() throws Exception {
    BlockingQueue<CheckRequest> seen = new LinkedBlockingQueue<>();
    try (ProxyHarness p =
        new ProxyHarness(
            upstream.target(),
            (s, r) -> {
              seen.add(r);
              return TestDecisions.byPath(s, r);
            },
            b -> b.numTrustedProxies(1))) {
      HttpResponse<String> r =
          p.get(
              "/p#frag",
              "x-forwarded-for",
              "198.51.100.1, 203.0.113.9",
              "x-forwarded-proto",
              "https",
              "x-request-id",
              "given-id",
              "x-envoy-decorator-operation",
              "spoof");
      assertThat(r.statusCode()).isEqualTo(200);
      CheckRequest check = seen.poll(5, TimeUnit.SECONDS);
      assertThat(check.sourceIp()).isEqualTo("127.0.0.1");
      assertThat(check.remoteIp()).isEqualTo("203.0.113.9");
      assertThat(check.scheme()).isEqualTo("http");
      assertThat(check.host()).isEqualTo("127.0.0.1:" + p.address().getPort());
      assertThat(check.destinationPort()).isEqualTo(p.address().getPort());
      assertThat(check.headers().joined("x-forwarded-for"))
          .isEqualTo("198.51.100.1, 203.0.113.9,127.0.0.1");
      assertThat(check.headers().joined("x-forwarded-proto")).isEqualTo("https");
      assertThat(check.headers().joined("x-request-id")).isEqualTo("given-id");
      assertThat(check.headers().contains("x-envoy-decorator-operation")).isFalse();
      assertThat(check.headers().contains("host")).isFalse();
      TestUpstream.Received got = upstream.received.poll(5, TimeUnit.SECONDS);
      assertThat(got.header("x-forwarded-for")).isEqualTo("198.51.100.1, 203.0.113.9,127.0.0.1");
      assertThat(got.header("x-forwarded-proto")).isEqualTo("https");
      assertThat(got.header("x-request-id")).isEqualTo("given-id");
      assertThat(got.header("x-envoy-decorator-operation")).isNull();
    }
  }

  @Test
  void deniedRequestsGetEnvoysLocalReplyAndNeverReachTheUpstream() throws Exception {
    HttpResponse<String> rbac = h.get("/deny/x");
    assertThat(rbac.statusCode()).isEqualTo(403);
    assertThat(rbac.body()).isEqualTo("RBAC: access denied");
    assertThat(rbac.headers().firstValue("content-type")).hasValue("text/plain");
    assertThat(rbac.headers().firstValue("content-length")).hasValue("19");

    HttpResponse<String> jwt = h.get("/jwt?a=b");
    assertThat(jwt.statusCode()).isEqualTo(401);
    assertThat(jwt.body()).isEqualTo("Jwt is expired");
    assertThat(jwt.headers().firstValue("www-authenticate"))
        .hasValue(
            "Bearer realm=\"http://127.0.0.1:"
                + h.address().getPort()
                + "/jwt?a=b\", error=\"invalid_token\"");

    HttpResponse<String> bad = h.get("/bad%00");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(upstream.received).isEmpty();

    AccessLogEntry first = h.log.poll(5, TimeUnit.SECONDS);
    assertThat(first.status()).isEqualTo(403);
    assertThat(first.outcome()).isEqualTo("DENIED_AUTHORIZATION");
    assertThat(first.policy()).isEqualTo("ns/deny-policy");
    assertThat(first.upstreamStatus()).isNull();
    assertThat(first.path()).isEqualTo("/deny/x");
  }

  @Test
  void appliesTheDecisionsPathAndHeaderChanges() throws Exception {
    HttpResponse<String> r = h.get("/rewrite/../x", "x-remove-me", "secret", "x-added", "spoof");
    assertThat(r.statusCode()).isEqualTo(200);
    TestUpstream.Received got = upstream.received.poll(5, TimeUnit.SECONDS);
    assertThat(got.uri()).isEqualTo("/rewritten?q=1");
    assertThat(got.header("x-remove-me")).isNull();
    assertThat(got.headers("x-added")).contains("yes");
    AccessLogEntry e = h.log.poll(5, TimeUnit.SECONDS);
    assertThat(e.principal()).isEqualTo("iss/sub");
    assertThat(e.upstreamStatus()).isEqualTo(200);
    assertThat(e.outcome()).isEqualTo("ALLOWED");
  }

  @Test
  void fragmentIsNeverForwarded() throws Exception {
    try (RawHttp c = h.raw()) {
      c.send("GET /user/profile#x HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(200);
    }
    assertThat(upstream.received.poll(5, TimeUnit.SECONDS).uri()).isEqualTo("/user/profile");
  }

  @Test
  void foldedHeaderIsUnfoldedTheSameForTheEngineAndTheUpstream() throws Exception {
    BlockingQueue<CheckRequest> seen = new LinkedBlockingQueue<>();
    try (ProxyHarness p =
            new ProxyHarness(
                upstream.target(),
                (snap, r) -> {
                  seen.add(r);
                  return TestDecisions.byPath(snap, r);
                },
                b -> {});
        RawHttp c = p.raw()) {
      // RFC 9112 5.2: a server either rejects obs-fold or replaces it with spaces; Netty replaces
      c.send("GET /f HTTP/1.1\r\nHost: a\r\nX-User: ali\r\n ce\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(200);
    }
    assertThat(seen.poll(5, TimeUnit.SECONDS).headers().joined("x-user")).isEqualTo("ali ce");
    assertThat(upstream.received.poll(5, TimeUnit.SECONDS).header("x-user")).isEqualTo("ali ce");
  }

  @Test
  void malformedChunkedBodyIsRefusedAndNotForwarded() throws Exception {
    try (RawHttp c = h.raw()) {
      c.send("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(upstream.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void reusesOneUpstreamConnectionForSequentialRequests() throws Exception {
    try (RawHttp c = h.raw()) {
      for (int i = 0; i < 10; i++) {
        c.send("GET /n/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
        RawHttp.Response r = c.read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(json(r.text()).get("uri").asText()).isEqualTo("/n/" + i);
      }
    }
    assertThat(upstream.clientPorts).hasSize(1);
  }

  @Test
  void answersPipelinedRequestsInOrder() throws Exception {
    try (RawHttp c = h.raw()) {
      c.send(
          "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
              + "GET /deny HTTP/1.1\r\nHost: a\r\n\r\n"
              + "POST /three HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
              + "GET /four HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttp.Response one = c.read();
      RawHttp.Response two = c.read();
      RawHttp.Response three = c.read();
      RawHttp.Response four = c.read();
      assertThat(json(one.text()).get("uri").asText()).isEqualTo("/one");
      assertThat(two.status()).isEqualTo(403);
      assertThat(json(three.text()).get("body").asText()).isEqualTo("abc");
      assertThat(json(four.text()).get("uri").asText()).isEqualTo("/four");
    }
  }

  /** Reads from {@code in} until the bytes seen so far end with {@code marker}. */
  private static void readUntil(InputStream in, String marker) throws IOException {
    StringBuilder seen = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      seen.append((char) c);
      if (seen.toString().endsWith(marker)) {
        return;
      }
    }
    throw new IOException("end of stream before `" + marker + "`");
  }

  @Test
  void decidesOnTheEventLoop() throws Exception {
    BlockingQueue<String> threads = new LinkedBlockingQueue<>();
    try (ProxyHarness p =
            new ProxyHarness(
                upstream.target(),
                (s, r) -> {
                  threads.add(Thread.currentThread().getName());
                  return TestDecisions.byPath(s, r);
                },
                b -> {});
        RawHttp c = p.raw()) {
      c.send(
          "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
              + "GET /deny HTTP/1.1\r\nHost: a\r\n\r\n"
              + "GET /c HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(200);
      assertThat(c.read().status()).isEqualTo(403);
      assertThat(json(c.read().text()).get("uri").asText()).isEqualTo("/c");
    }
    assertThat(threads).hasSize(3).allSatisfy(t -> assertThat(t).startsWith("meshguard-io"));
  }

  /**
   * A decision that waits (for a key fetch) holds no thread: with one event loop, other requests
   * are decided and answered meanwhile; the late decision is applied on the connection's loop; and
   * a client that goes away calls its wait off.
   */
  @Test
  void aDecisionThatWaitsHoldsNoThreadAndComesBackToTheLoop() throws Exception {
    BlockingQueue<CompletableFuture<Decision>> waiting = new LinkedBlockingQueue<>();
    BlockingQueue<Executor> resumeOn = new LinkedBlockingQueue<>();
    BlockingQueue<CheckRequest> waitingRequests = new LinkedBlockingQueue<>();
    Decider decider =
        new Decider() {
          @Override
          public Decision decide(PolicySnapshot s, CheckRequest r) {
            throw new AssertionError("the proxy never decides blocking");
          }

          @Override
          public CompletableFuture<Decision> decideAsync(
              PolicySnapshot s, CheckRequest r, Executor resume) {
            if (!r.rawPath().startsWith("/wait")) {
              return CompletableFuture.completedFuture(TestDecisions.byPath(s, r));
            }
            CompletableFuture<Decision> later = new CompletableFuture<>();
            waitingRequests.add(r);
            resumeOn.add(resume);
            waiting.add(later);
            return later;
          }
        };
    try (ProxyHarness p = new ProxyHarness(upstream.target(), decider, b -> b.ioThreads(1));
        RawHttp held = p.raw();
        RawHttp gone = p.raw();
        RawHttp fast = p.raw()) {
      held.send("GET /wait/1 HTTP/1.1\r\nHost: a\r\n\r\n");
      CompletableFuture<Decision> first = waiting.poll(10, TimeUnit.SECONDS);
      assertThat(resumeOn.poll()).isInstanceOf(EventLoop.class);
      gone.send("GET /wait/2 HTTP/1.1\r\nHost: a\r\n\r\n");
      CompletableFuture<Decision> second = waiting.poll(10, TimeUnit.SECONDS);

      for (int i = 0; i < 3; i++) {
        fast.send("GET /fast/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
        RawHttp.Response r = fast.read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(json(r.text()).get("uri").asText()).isEqualTo("/fast/" + i);
      }
      assertThat(first).isNotDone();

      gone.close();
      for (int i = 0; i < 1000 && !second.isCancelled(); i++) {
        Thread.sleep(10); // hang guard: the close reaches the loop asynchronously
      }
      assertThat(second.isCancelled()).as("the client went away: its wait is called off").isTrue();

      // completed off the loop, as a key fetch's end would
      first.complete(TestDecisions.byPath(null, waitingRequests.poll()));
      RawHttp.Response late = held.read();
      assertThat(late.status()).isEqualTo(200);
      assertThat(json(late.text()).get("uri").asText()).isEqualTo("/wait/1");
    }
  }

  @Test
  void streamsBodiesBothWaysWithoutWaitingForTheirEnd() throws Exception {
    // a byte-level upstream: the JDK server would not hand out a chunk before the next one starts
    CountDownLatch upstreamGotFirstPart = new CountDownLatch(1);
    CountDownLatch clientGotFirstPart = new CountDownLatch(1);
    try (ServerSocket s = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                try (Socket c = s.accept()) {
                  InputStream in = c.getInputStream();
                  OutputStream out = c.getOutputStream();
                  readUntil(in, "hello\r\n");
                  upstreamGotFirstPart.countDown();
                  readUntil(in, "0\r\n\r\n");
                  out.write(
                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\npart1\r\n"
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  clientGotFirstPart.await(20, TimeUnit.SECONDS);
                  out.write("5\r\npart2\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  in.read();
                } catch (IOException e) {
                  // test ends
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      t.setDaemon(true);
      t.start();
      try (ProxyHarness p =
              new ProxyHarness(UpstreamTarget.parse("http://127.0.0.1:" + s.getLocalPort()));
          RawHttp c = p.raw()) {
        c.send(
            "POST /stream HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n");
        // the request is not finished, yet the upstream already has its first part
        assertThat(upstreamGotFirstPart.await(20, TimeUnit.SECONDS)).isTrue();
        c.send("6\r\n world\r\n0\r\n\r\n");
        assertThat(c.line()).isEqualTo("HTTP/1.1 200 OK");
        boolean chunked = false;
        for (String line = c.line(); !line.isEmpty(); line = c.line()) {
          chunked |= line.equalsIgnoreCase("transfer-encoding: chunked");
        }
        assertThat(chunked).isTrue();
        int size = Integer.parseInt(c.line(), 16);
        assertThat(new String(c.in.readNBytes(size), StandardCharsets.US_ASCII)).isEqualTo("part1");
        // the response is not finished, yet the client already has its first part
        clientGotFirstPart.countDown();
        c.line();
        size = Integer.parseInt(c.line(), 16);
        assertThat(new String(c.in.readNBytes(size), StandardCharsets.US_ASCII)).isEqualTo("part2");
      }
    }
  }

  @Test
  void largeBodiesArriveIntact() throws Exception {
    byte[] big = new byte[8 * 1024 * 1024 + 17];
    new Random(42).nextBytes(big);
    upstream.handle(
        "/sha",
        ex -> {
          byte[] body = ex.getRequestBody().readAllBytes();
          String sha = sha(body);
          ex.getResponseHeaders().set("x-sha", sha);
          ex.sendResponseHeaders(200, big.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(big);
          }
        });
    HttpResponse<byte[]> r =
        h.client.send(
            HttpRequest.newBuilder(URI.create(h.url("/sha")))
                .POST(HttpRequest.BodyPublishers.ofByteArray(big))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-sha")).hasValue(sha(big));
    assertThat(sha(r.body())).isEqualTo(sha(big));
  }

  private static String sha(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void upstreamRefusingConnectionsGives503WithEnvoysText() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (ProxyHarness p =
        new ProxyHarness(UpstreamTarget.parse("http://127.0.0.1:" + closedPort))) {
      HttpResponse<String> r = p.get("/x");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body())
          .isEqualTo(
              "upstream connect error or disconnect/reset before headers. reset reason: remote"
                  + " connection failure, transport failure reason: delayed connect error:"
                  + " Connection refused");
      AccessLogEntry e = p.log.poll(5, TimeUnit.SECONDS);
      assertThat(e.upstreamFailure()).isEqualTo("CONNECT_FAILURE");
      assertThat(p.metrics.scrape())
          .contains("meshguard_upstream_failures_total{kind=\"CONNECT_FAILURE\"} 1.0");
    }
  }

  @Test
  void upstreamClosingBeforeHeadersGives503() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Socket c = s.accept();
                    c.getInputStream().read();
                    c.close();
                  }
                } catch (IOException e) {
                  // closed
                }
              });
      t.setDaemon(true);
      t.start();
      try (ProxyHarness p =
          new ProxyHarness(UpstreamTarget.parse("http://127.0.0.1:" + s.getLocalPort()))) {
        HttpResponse<String> r = p.get("/x");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body())
            .isEqualTo(
                "upstream connect error or disconnect/reset before headers. reset reason:"
                    + " connection termination");
      }
    }
  }

  @Test
  void slowUpstreamGives504AfterTheRequestTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    upstream.handle(
        "/slow",
        ex -> {
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          TestUpstream.send(ex, 200, "late");
        });
    try (ProxyHarness p =
        new ProxyHarness(
            upstream.target(),
            TestDecisions::byPath,
            b -> b.requestTimeout(Duration.ofMillis(300)))) {
      HttpResponse<String> r = p.get("/slow");
      assertThat(r.statusCode()).isEqualTo(504);
      assertThat(r.body()).isEqualTo("upstream request timeout");
      assertThat(p.log.poll(5, TimeUnit.SECONDS).upstreamFailure()).isEqualTo("REQUEST_TIMEOUT");
    } finally {
      release.countDown();
    }
  }

  @Test
  void upstreamDyingMidResponseClosesTheClientConnection() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                try (Socket c = s.accept()) {
                  c.getInputStream().read(new byte[4096]);
                  c.getOutputStream()
                      .write(
                          "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-part"
                              .getBytes(StandardCharsets.US_ASCII));
                  c.getOutputStream().flush();
                } catch (IOException e) {
                  // test ends
                }
              });
      t.setDaemon(true);
      t.start();
      try (ProxyHarness p =
              new ProxyHarness(UpstreamTarget.parse("http://127.0.0.1:" + s.getLocalPort()));
          RawHttp c = p.raw()) {
        c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(c.line()).isEqualTo("HTTP/1.1 200 OK");
        while (!c.line().isEmpty()) {
          // headers
        }
        byte[] rest = c.in.readAllBytes();
        assertThat(new String(rest, StandardCharsets.US_ASCII)).isEqualTo("only-part");
        assertThat(p.log.poll(5, TimeUnit.SECONDS).upstreamFailure())
            .isEqualTo("CONNECTION_TERMINATION");
      }
    }
  }

  @Test
  void retriesABodylessRequestWhenAPooledConnectionWasClosed() throws Exception {
    // an upstream that answers once per connection, then closes it without saying so
    try (ServerSocket s = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                try {
                  while (true) {
                    try (Socket c = s.accept()) {
                      c.getInputStream().read(new byte[4096]);
                      c.getOutputStream()
                          .write(
                              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                                  .getBytes(StandardCharsets.US_ASCII));
                    }
                  }
                } catch (IOException e) {
                  // closed
                }
              });
      t.setDaemon(true);
      t.start();
      try (ProxyHarness p =
              new ProxyHarness(UpstreamTarget.parse("http://127.0.0.1:" + s.getLocalPort()));
          RawHttp c = p.raw()) {
        for (int i = 0; i < 5; i++) {
          c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
          RawHttp.Response r = c.read();
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.text()).isEqualTo("ok");
        }
      }
    }
  }

  @Test
  void http10ClientGetsAnAnswerAndAClose() throws Exception {
    try (RawHttp c = h.raw()) {
      c.send("GET /old HTTP/1.0\r\nHost: a\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(json(r.text()).get("uri").asText()).isEqualTo("/old");
      assertThat(c.closedByServer()).isTrue();
    }
    try (RawHttp c = h.raw()) {
      // Envoy without `accept_http_10`: 426; meshguard only for HTTP/1.0 without a host
      c.send("GET /old HTTP/1.0\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(426);
      assertThat(r.text()).isEqualTo("Upgrade Required");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void headRequestsKeepTheConnectionUsable() throws Exception {
    try (RawHttp c = h.raw()) {
      c.send("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttp.Response head = c.read(true);
      assertThat(head.status()).isEqualTo(200);
      c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttp.Response after = c.read();
      assertThat(json(after.text()).get("uri").asText()).isEqualTo("/after");
    }
  }

  @Test
  void expectContinueIsAnsweredOnceAllowed() throws Exception {
    try (RawHttp c = h.raw()) {
      c.send(
          "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      RawHttp.Response cont = c.read();
      assertThat(cont.status()).isEqualTo(100);
      c.send("hello");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      JsonNode echo = json(r.text());
      assertThat(echo.get("body").asText()).isEqualTo("hello");
      assertThat(echo.get("headers").toString()).doesNotContainIgnoringCase("expect");
    }
    try (RawHttp c = h.raw()) {
      c.send("POST /deny HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.header("connection")).isEqualTo("close");
    }
  }

  @Test
  void shutdownLetsTheInFlightRequestFinish() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    upstream.handle(
        "/inflight",
        ex -> {
          arrived.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          TestUpstream.send(ex, 200, "finished");
        });
    ProxyHarness p = new ProxyHarness(upstream.target());
    CompletableFuture<HttpResponse<String>> inflight =
        p.client.sendAsync(
            HttpRequest.newBuilder(URI.create(p.url("/inflight"))).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(arrived.await(20, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Boolean> stopped =
        CompletableFuture.supplyAsync(() -> p.proxy.shutdown(Duration.ofSeconds(20)));
    while (!p.proxy.draining()) {
      Thread.onSpinWait();
    }
    release.countDown();
    HttpResponse<String> r = inflight.get(20, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("finished");
    assertThat(stopped.get(20, TimeUnit.SECONDS)).isTrue();
    InetSocketAddress gone = p.address();
    try (Socket s = new Socket()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.connect(gone, 2000))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void metricsCountOutcomesStatusesPoliciesAndJwtFailures() throws Exception {
    h.get("/deny");
    h.get("/jwt");
    h.get("/ok");
    // the access log and metrics are written after the response: wait for all three entries
    for (int i = 0; i < 3; i++) {
      assertThat(h.log.poll(5, TimeUnit.SECONDS)).isNotNull();
    }
    String text = h.metrics.scrape();
    assertThat(text)
        .contains(
            "meshguard_requests_total{outcome=\"DENIED_AUTHORIZATION\",policy=\"ns/deny-policy\",status=\"403\"} 1.0")
        .contains(
            "meshguard_requests_total{outcome=\"DENIED_AUTHENTICATION\",policy=\"\",status=\"401\"} 1.0")
        .contains("meshguard_requests_total{outcome=\"ALLOWED\",policy=\"\",status=\"200\"} 1.0")
        .contains("meshguard_jwt_failures_total{reason=\"JWT_EXPIRED\"} 1.0")
        .contains("meshguard_request_duration_seconds_bucket");
  }
}
