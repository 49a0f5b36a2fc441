package dev.meshguard.jwks;

import static dev.meshguard.jwks.MeshConfig.config;
import static dev.meshguard.jwks.MeshConfig.endpoint;
import static dev.meshguard.jwks.MeshConfig.port;
import static dev.meshguard.jwks.MeshConfig.serviceEntry;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshguard.jwks.JwksServer.Reply;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.testing.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpFetcherTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String SECRET = "internal-secret-4711";
  private static final RemoteJwksOptions OPTIONS = RemoteJwksOptions.defaults();

  private JwksServer server;
  private final HttpFetcher fetcher =
      new HttpFetcher(AddressPolicy.of(OPTIONS), InetAddress::getAllByName);
  private final KeySetDownloader downloader = new KeySetDownloader(fetcher, OPTIONS);

  @BeforeEach
  void start() throws IOException {
    server = JwksServer.http();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Route route(String path) throws FetchException {
    return new RouteResolver(MeshConfig.empty(), OPTIONS)
        .resolve("http://127.0.0.1:" + server.port() + path);
  }

  @Test
  void readsAContentLengthBody() throws Exception {
    server.on("/jwks", Reply.ok("{\"keys\":[]}"));
    HttpFetcher.Response response = fetcher.get(route("/jwks"), TIMEOUT, 1024);
    assertThat(response.status()).isEqualTo(200);
    assertThat(new String(response.body(), UTF_8)).isEqualTo("{\"keys\":[]}");
  }

  @Test
  void readsAChunkedBody() throws Exception {
    String big = "x".repeat(20_000);
    server.on("/jwks", new Reply(200, big, true));
    HttpFetcher.Response response = fetcher.get(route("/jwks"), TIMEOUT, 1 << 20);
    assertThat(new String(response.body(), UTF_8)).isEqualTo(big);
  }

  @Test
  void oversizedBodiesFailWhetherAnnouncedOrChunked() throws Exception {
    server.on("/length", Reply.ok("y".repeat(2000)));
    server.on("/chunked", new Reply(200, "y".repeat(2000), true));
    for (String path : List.of("/length", "/chunked")) {
      assertThatThrownBy(() -> fetcher.get(route(path), TIMEOUT, 1000))
          .as(path)
          .isInstanceOf(FetchException.class)
          .hasMessage("response body is larger than 1000 bytes");
    }
  }

  @Test
  void oversizedBodyWithoutLengthFails() throws Exception {
    try (RawServer raw =
        new RawServer("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + "z".repeat(5000))) {
      Route route = new RouteResolver(MeshConfig.empty(), OPTIONS).resolve(raw.url());
      assertThatThrownBy(() -> fetcher.get(route, TIMEOUT, 1000))
          .isInstanceOf(FetchException.class)
          .hasMessage("response body is larger than 1000 bytes");
    }
  }

  @Test
  void errorBodiesAreNeverRead() throws Exception {
    server.on("/jwks", new Reply(500, SECRET, false));
    HttpFetcher.Response response = fetcher.get(route("/jwks"), TIMEOUT, 1024);
    assertThat(response.status()).isEqualTo(500);
    assertThat(response.body()).isNull();
    assertThatThrownBy(() -> downloader.keys(route("/jwks"), TIMEOUT))
        .isInstanceOf(FetchException.class)
        .hasMessage("http status 500");
  }

  @Test
  void redirectsAreNotFollowed() throws Exception {
    server.on("/jwks", new Reply(302, "", false));
    assertThatThrownBy(() -> downloader.keys(route("/jwks"), TIMEOUT))
        .isInstanceOf(FetchException.class)
        .hasMessage("http status 302 (redirects are not followed)");
  }

  @Test
  void emptyAndMalformedBodiesFailWithoutQuotingThem() throws Exception {
    server.on("/empty", Reply.ok(""));
    server.on("/malformed", Reply.ok("{\"keys\": [" + SECRET));
    server.on("/html", Reply.ok("<html>" + SECRET + "</html>"));
    assertThatThrownBy(() -> downloader.keys(route("/empty"), TIMEOUT))
        .hasMessage("empty response body");
    for (String path : List.of("/malformed", "/html")) {
      assertThatThrownBy(() -> downloader.keys(route(path), TIMEOUT))
          .as(path)
          .isInstanceOf(FetchException.class)
          .hasMessageStartingWith("invalid jwks: ")
          .hasMessageNotContaining(SECRET);
    }
  }

  @Test
  void discoveryDocumentErrorsDoNotQuoteTheBody() throws Exception {
    server.on("/bad", Reply.ok("{\"jwks_uri\": " + SECRET));
    server.on("/missing", Reply.ok("{\"issuer\": \"" + SECRET + "\"}"));
    server.on("/number", Reply.ok("{\"jwks_uri\": 5}"));
    server.on("/deep", Reply.ok("[".repeat(10_000)));
    server.on("/good", Reply.ok("{\"jwks_uri\": \"https://idp.example.com/keys\"}"));
    assertThatThrownBy(() -> downloader.discoveredJwksUri(route("/bad"), TIMEOUT))
        .hasMessage("openid configuration is not valid json");
    assertThatThrownBy(() -> downloader.discoveredJwksUri(route("/deep"), TIMEOUT))
        .hasMessage("openid configuration is not valid json");
    for (String path : List.of("/missing", "/number")) {
      assertThatThrownBy(() -> downloader.discoveredJwksUri(route(path), TIMEOUT))
          .hasMessage("openid configuration has no string `jwks_uri`");
    }
    assertThat(downloader.discoveredJwksUri(route("/good"), TIMEOUT))
        .isEqualTo("https://idp.example.com/keys");
  }

  @Test
  void tooManyKeysFail() throws Exception {
    server.on(
        "/jwks", Reply.ok(TestKeys.jwks(TestKeys.key("a"), TestKeys.key("b"), TestKeys.key("c"))));
    KeySetDownloader strict = new KeySetDownloader(fetcher, OPTIONS.toBuilder().maxKeys(2).build());
    assertThatThrownBy(() -> strict.keys(route("/jwks"), TIMEOUT))
        .hasMessage("jwks has 3 keys, more than the limit of 2");
    assertThat(downloader.keys(route("/jwks"), TIMEOUT).size()).isEqualTo(3);
  }

  @Test
  void slowServerTimesOut() throws Exception {
    server.on("/jwks", Reply.ok("{}"));
    server.hold();
    assertThatThrownBy(() -> fetcher.get(route("/jwks"), Duration.ofMillis(200), 1024))
        .isInstanceOf(FetchException.class)
        .hasMessageStartingWith("timed out after 200 ms");
  }

  @Test
  void tricklingServerCannotStretchTheDeadline() throws Exception {
    try (RawServer raw = new RawServer("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")) {
      raw.trickle = true;
      Route route = new RouteResolver(MeshConfig.empty(), OPTIONS).resolve(raw.url());
      assertThatThrownBy(() -> fetcher.get(route, Duration.ofMillis(300), 1 << 20))
          .isInstanceOf(FetchException.class)
          .hasMessageStartingWith("timed out");
    }
  }

  @Test
  void garbageResponsesFail() throws Exception {
    for (String garbage :
        List.of(
            "SSH-2.0-OpenSSH\r\n\r\n",
            "HTTP/1.1 abc OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Length: 11\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\n" + "X: " + "a".repeat(10_000) + "\r\n\r\n")) {
      try (RawServer raw = new RawServer(garbage)) {
        Route route = new RouteResolver(MeshConfig.empty(), OPTIONS).resolve(raw.url());
        assertThatThrownBy(() -> fetcher.get(route, TIMEOUT, 1024))
            .as(garbage)
            .isInstanceOf(FetchException.class);
      }
    }
  }

  @Test
  void connectsToTheStaticEndpointButSendsTheUrlHost() throws Exception {
    server.on("/jwks", Reply.ok("{}"));
    int closedPort = unusedPort();
    ConfigSet config =
        config(
            List.of(
                serviceEntry(
                    "jwks",
                    List.of("jwks.example.com"),
                    List.of(),
                    List.of(port(80, "HTTP", "http")),
                    "STATIC",
                    List.of(
                        endpoint("127.0.0.1", Map.of("http", closedPort)),
                        endpoint("127.0.0.1", Map.of("http", server.port()))))),
            List.of());
    Route route = new RouteResolver(config, OPTIONS).resolve("http://jwks.example.com/jwks");
    HttpFetcher.Response response = fetcher.get(route, TIMEOUT, 1024);
    assertThat(response.status()).isEqualTo(200);
    assertThat(server.hosts()).containsExactly("jwks.example.com");
  }

  @Test
  void dnsServiceEntryResolvesItsEndpointNamesWhenFetching() throws Exception {
    server.on("/jwks", Reply.ok("{}"));
    ConfigSet config =
        config(
            List.of(
                serviceEntry(
                    "jwks",
                    List.of("jwks.example.com"),
                    List.of(),
                    List.of(port(80, "HTTP", "http")),
                    "DNS",
                    List.of(endpoint("backend.test", Map.of("http", server.port()))))),
            List.of());
    List<String> looked = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpFetcher dns =
        new HttpFetcher(
            AddressPolicy.of(OPTIONS),
            host -> {
              looked.add(host);
              return new InetAddress[] {InetAddress.getLoopbackAddress()};
            });
    Route route = new RouteResolver(config, OPTIONS).resolve("http://jwks.example.com/jwks");
    assertThat(dns.get(route, TIMEOUT, 1024).status()).isEqualTo(200);
    assertThat(looked).containsExactly("backend.test");
    assertThat(server.hosts()).containsExactly("jwks.example.com");
  }

  @Test
  void connectionRefusedIsAFailure() throws Exception {
    Route route =
        new RouteResolver(MeshConfig.empty(), OPTIONS)
            .resolve("http://127.0.0.1:" + unusedPort() + "/jwks");
    assertThatThrownBy(() -> fetcher.get(route, TIMEOUT, 1024))
        .isInstanceOf(FetchException.class)
        .hasMessageStartingWith("cannot connect: 127.0.0.1:");
  }

  @Test
  void linkLocalAddressesAreRefusedBeforeConnecting() throws Exception {
    Route literal =
        new RouteResolver(MeshConfig.empty(), OPTIONS)
            .resolve("http://169.254.169.254/latest/meta-data/");
    assertThatThrownBy(() -> fetcher.get(literal, TIMEOUT, 1024))
        .isInstanceOf(FetchException.class)
        .hasMessage("cannot connect: address `169.254.169.254` is link-local");

    // A name that resolves to a link-local address is refused on the address (DNS rebinding).
    HttpFetcher rebinding =
        new HttpFetcher(
            AddressPolicy.of(OPTIONS),
            host -> new InetAddress[] {InetAddress.getByName("169.254.169.254")});
    Route named =
        new RouteResolver(MeshConfig.empty(), OPTIONS).resolve("http://jwks.example.com/jwks");
    assertThatThrownBy(() -> rebinding.get(named, TIMEOUT, 1024))
        .hasMessage("cannot connect: address `169.254.169.254` is link-local");

    // IPv6 link-local.
    Route v6 = new RouteResolver(MeshConfig.empty(), OPTIONS).resolve("http://[fe80::1]/jwks");
    assertThatThrownBy(() -> fetcher.get(v6, TIMEOUT, 1024)).hasMessageContaining("link-local");
  }

  @Test
  void blockedRangesAreRefused() throws Exception {
    RemoteJwksOptions options = OPTIONS.toBuilder().blockedCidrs(List.of("127.0.0.0/8")).build();
    HttpFetcher blocked = new HttpFetcher(AddressPolicy.of(options), InetAddress::getAllByName);
    server.on("/jwks", Reply.ok("{}"));
    assertThatThrownBy(() -> blocked.get(route("/jwks"), TIMEOUT, 1024))
        .hasMessageContaining("is in blocked range `127.0.0.0/8`");
    assertThat(server.requests()).isZero();
  }

  static int unusedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Answers every connection with fixed bytes (or trickles them one by one), then closes. */
  static final class RawServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread thread;
    volatile boolean trickle;
    final AtomicInteger connections = new AtomicInteger();

    RawServer(String response) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket client = socket.accept()) {
                    connections.incrementAndGet();
                    readRequestHead(client.getInputStream());
                    OutputStream out = client.getOutputStream();
                    byte[] bytes = response.getBytes(UTF_8);
                    if (trickle) {
                      for (int i = 0; i < 1000 && !socket.isClosed(); i++) {
                        out.write(bytes[i % bytes.length]);
                        out.flush();
                        Thread.sleep(50);
                      }
                    } else {
                      out.write(bytes);
                      out.flush();
                    }
                  } catch (IOException e) {
                    // client went away or server closed
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      thread.setDaemon(true);
      thread.start();
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort() + "/jwks";
    }

    private static void readRequestHead(InputStream in) throws IOException {
      int state = 0;
      while (state < 4) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      thread.interrupt();
    }
  }
}
