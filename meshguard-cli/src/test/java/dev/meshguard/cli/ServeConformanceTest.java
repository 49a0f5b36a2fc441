package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.conformance.Corpus;
import dev.meshguard.conformance.CorpusCase;
import dev.meshguard.conformance.CorpusRequest;
import dev.meshguard.conformance.Expectation;
import dev.meshguard.conformance.PendingEngineFixes;
import dev.meshguard.conformance.Placeholders;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.proxy.AccessLog;
import dev.meshguard.proxy.AccessLogEntry;
import dev.meshguard.proxy.ListenerTls;
import dev.meshguard.proxy.ProxyOptions;
import dev.meshguard.proxy.ProxyServer;
import dev.meshguard.proxy.UpstreamTarget;
import dev.meshguard.proxy.h2.RawH2;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.FilePolicyLoader;
import dev.meshguard.runtime.LoadResult;
import dev.meshguard.runtime.MeshguardMetrics;
import dev.meshguard.testing.MeshCa;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the conformance corpus of meshguard-core through the `serve` data plane over real sockets:
 * the proxy of `serve` (in this JVM, so that the corpus' clock and per-case configuration can be
 * set without a process per request) in front of a byte-level upstream. Each request goes three
 * ways: as raw HTTP/1.1, as HTTP/2 with prior knowledge (h2c), and as HTTP/2 over TLS agreed by
 * ALPN; what is compared is what goes over the wire: the status, the denial body and headers, the
 * path and headers the upstream receives, and the access log's reason, policy and principal.
 *
 * <p>The TLS listener asks for client certificates (`--tls-client-ca`, `optional`). Over HTTP/1.1,
 * requests with a peer principal, SNI or `https` go to it: the principal is a SPIFFE certificate
 * issued for it on the fly by a test mesh CA, the SNI the name the client asks for. Over HTTP/2
 * with TLS every request goes to it, without a client certificate. Requests that cannot be
 * expressed from 127.0.0.1 (another peer address, a destination address other than the listener's
 * or a fixed destination port, pseudo-headers or bytes not allowed on the wire; in plain text also
 * SNI and https; over HTTP/2 also an mTLS principal, HTTP/1.0, absolute-form targets and
 * HTTP/1-only headers) are skipped, and the decision trace is not compared: `check` covers those
 * with the same expectations.
 */
class ServeConformanceTest {
  private static final Set<String> PROXY_HEADERS =
      Set.of(
          "x-forwarded-for",
          "x-forwarded-proto",
          "x-request-id",
          "content-length",
          "host",
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "x-forwarded-client-cert");

  /** How a request reaches the proxy. */
  enum Protocol {
    HTTP1("http/1.1", false),
    H2C("h2c", false),
    H2_TLS("h2+tls", true);

    final String label;
    final boolean tls;

    Protocol(String label, boolean tls) {
      this.label = label;
      this.tls = tls;
    }
  }

  /** Headers HTTP/2 forbids (RFC 9113 8.2.2) or frames itself: a client cannot send them. */
  private static final Set<String> NOT_IN_H2 =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "upgrade",
          "te",
          "content-length");

  private static MeshCa meshCa;
  private static SslContext listenerTls;

  @TempDir static Path dir;
  private static RawUpstream upstream;
  private static RemoteJwksSources jwks;
  private static final AtomicReference<Instant> now = new AtomicReference<>(Instant.EPOCH);
  private static final AtomicReference<PolicySnapshot> policy = new AtomicReference<>();
  private static final BlockingQueue<AccessLogEntry> log = new LinkedBlockingQueue<>();
  private static final Map<String, ProxyServer> proxies = new HashMap<>();
  private static final Map<CorpusCase, LoadResult> loaded = new HashMap<>();

  /** A clock the test moves to each request's `now`. */
  private static final Clock CLOCK =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };

  @BeforeAll
  static void start() throws Exception {
    upstream = new RawUpstream();
    jwks = new RemoteJwksSources(RemoteJwksOptions.defaults());
    meshCa = MeshCa.create("conformance mesh ca");
    MeshCa.Issued server = meshCa.issue("gateway", List.of(), List.of("localhost"));
    listenerTls =
        ListenerTls.build(
            server.writeChainPem(dir),
            server.writeKeyPem(dir),
            meshCa.writeCaPem(dir),
            ListenerTls.ClientAuthMode.OPTIONAL);
  }

  @AfterAll
  static void stop() throws IOException {
    proxies.values().forEach(p -> p.shutdown(Duration.ZERO));
    jwks.close();
    upstream.close();
  }

  /** One proxy per `numTrustedProxies` (a listener setting in `serve`) and per TLS or not. */
  private static synchronized ProxyServer proxy(int trustedHops, boolean tls) {
    return proxies.computeIfAbsent(
        trustedHops + (tls ? "/tls" : "/plain"),
        key -> {
          int n = trustedHops;
          try {
            return ProxyServer.start(
                ProxyOptions.builder(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        UpstreamTarget.parse(upstream.url()))
                    .numTrustedProxies(n)
                    .ioThreads(1)
                    .build(),
                policy::get,
                Decider.engine(CLOCK),
                new MeshguardMetrics(),
                new AccessLog() {
                  @Override
                  public void log(AccessLogEntry entry) {
                    log.add(entry);
                  }
                },
                tls ? listenerTls : null);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @TestFactory
  Stream<DynamicTest> corpus() {
    return cases(Protocol.HTTP1);
  }

  @TestFactory
  Stream<DynamicTest> corpusOverH2c() {
    return cases(Protocol.H2C);
  }

  @TestFactory
  Stream<DynamicTest> corpusOverH2WithTls() {
    return cases(Protocol.H2_TLS);
  }

  private static Stream<DynamicTest> cases(Protocol protocol) {
    List<DynamicTest> tests = new ArrayList<>();
    for (CorpusCase c : Corpus.load()) {
      if (!c.configErrors().isEmpty()) {
        if (protocol == Protocol.HTTP1) {
          String name = c.displayName() + " :: config";
          tests.add(
              DynamicTest.dynamicTest(
                  name, () -> PendingEngineFixes.run(name, () -> assertRefused(c))));
        }
        continue;
      }
      for (CorpusRequest r : c.requests()) {
        // the pending-fix list names cases, whatever the protocol
        String name = c.displayName() + " :: " + r.name();
        tests.add(
            DynamicTest.dynamicTest(
                protocol == Protocol.HTTP1 ? name : protocol.label + " :: " + name,
                () -> PendingEngineFixes.run(name, () -> assertServed(c, r, protocol))));
      }
    }
    return tests.stream();
  }

  private static synchronized LoadResult load(CorpusCase c) throws IOException {
    LoadResult result = loaded.get(c);
    if (result == null) {
      Path caseDir = Files.createTempDirectory(dir, c.file().replace(".yaml", "") + "-");
      Path config = caseDir.resolve("config.yaml");
      Files.writeString(config, Placeholders.resolve(c.config()), StandardCharsets.UTF_8);
      Path mesh = null;
      if (!c.mesh().isDefault()) {
        mesh = caseDir.resolve("mesh.yaml");
        Files.writeString(mesh, c.mesh().toMeshConfigYaml(), StandardCharsets.UTF_8);
      }
      // the corpus uses Istio's sample key on purpose: accepted as `serve` does by default
      result =
          new FilePolicyLoader(List.of(config), mesh, null, c.workload(), jwks::remote, true)
              .load();
      loaded.put(c, result);
    }
    return result;
  }

  /** `serve` refuses to start with the configuration, naming the expected problems. */
  private static void assertRefused(CorpusCase c) throws IOException {
    LoadResult result = load(c);
    assertThat(result.ok()).as("serve would start with " + c.displayName()).isFalse();
    String errors = String.join("\n", result.errors());
    for (String expected : c.configErrors()) {
      assertThat(errors).contains(expected);
    }
  }

  private static void assertServed(CorpusCase c, CorpusRequest r, Protocol protocol)
      throws Exception {
    String why = notOverASocket(r, protocol);
    Assumptions.assumeTrue(why == null, () -> "not expressible over a socket: " + why);
    LoadResult result = load(c);
    assertThat(result.ok())
        .as("configuration of %s loads: %s", c.displayName(), result.errors())
        .isTrue();
    for (String expected : c.configWarnings()) {
      assertThat(result.findings()).anyMatch(f -> f.format().contains(expected));
    }
    policy.set(result.snapshot());
    now.set(Instant.ofEpochSecond(r.nowEpochSeconds()));
    upstream.requests.clear();
    log.clear();

    List<Map.Entry<String, String>> sent = r.resolvedHeaderEntries();
    String target = Placeholders.resolve(r.path());
    boolean tls = protocol.tls || protocol == Protocol.HTTP1 && overTls(r);
    ProxyServer proxy = proxy(r.numTrustedProxies(), tls);
    StringBuilder wire = new StringBuilder();
    RawHttp.Response response;
    if (protocol == Protocol.HTTP1) {
      wire.append(r.method()).append(' ').append(target);
      wire.append(r.host() == null ? " HTTP/1.0\r\n" : " HTTP/1.1\r\nHost: " + r.host() + "\r\n");
      for (Map.Entry<String, String> h : sent) {
        wire.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
      }
      wire.append("\r\n");
      boolean head = r.method().equals("HEAD");
      response =
          tls
              ? exchangeOverTls(proxy.address(), r, wire.toString(), head)
              : RawHttp.exchange(proxy.address(), wire.toString(), head);
    } else {
      Http2Headers headers =
          new DefaultHttp2Headers(false)
              .method(r.method())
              .scheme(protocol.tls ? "https" : "http")
              .authority(r.host())
              .path(target);
      for (Map.Entry<String, String> h : sent) {
        // what an HTTP/2 client sends: names in lower case
        headers.add(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
      }
      wire.append(headers);
      response = overHttp2(proxy, protocol, r.sni(), headers);
    }
    AccessLogEntry entry = log.poll(10, TimeUnit.SECONDS);
    RawUpstream.Received forwarded =
        upstream.requests.poll(response.status() == 200 ? 10 : 0, TimeUnit.SECONDS);
    String context = c.displayName() + " :: " + r.name() + "\nsent:\n" + wire;

    boolean denied = response.status() != 200;
    Map<String, String> responseHeaders = new LinkedHashMap<>();
    if (denied) {
      for (Map.Entry<String, String> h : response.headers()) {
        String n = h.getKey().toLowerCase(Locale.ROOT);
        if (!Set.of("content-length", "content-type", "connection").contains(n)) {
          responseHeaders.put(n, h.getValue());
        }
      }
    }
    Expectation expected = r.expect().resolved();
    if (tls && r.scheme().equals("http")) {
      // over TLS the request's scheme is https, and the realm a denial names says so
      expected = overTls(expected);
    }
    Expectation wireLevel =
        new Expectation(
            expected.status(),
            expected.reason(),
            expected.policySet(),
            expected.policy(),
            expected.principalSet(),
            expected.principal(),
            expected.body(),
            expected.responseHeaders(),
            expected.upstreamPath(),
            null,
            null,
            List.of(),
            expected.shadowSet(),
            expected.shadow());
    Expectation.Observed observed =
        new Expectation.Observed(
            response.status(),
            entry == null ? null : entry.reason(),
            entry == null ? null : entry.policy(),
            entry == null ? null : entry.principal(),
            denied ? response.body() : null,
            responseHeaders,
            forwarded == null ? null : RawUpstream.target(forwarded.requestLine()),
            List.of(),
            Map.of(),
            List.of(),
            entry == null || entry.shadowEngineResult() == null
                ? null
                : new Expectation.Shadow(
                    entry.shadowEngineResult(), entry.shadowEffectivePolicyId()));
    assertThat(wireLevel.mismatches(observed)).as(context).isEmpty();
    if (denied) {
      assertThat(forwarded).as("a denied request never reaches the upstream").isNull();
    } else if (expected.upstreamRemoved() != null || expected.upstreamAdded() != null) {
      assertThat(headersOf(forwarded.headers()))
          .as("headers the upstream received, " + context)
          .isEqualTo(expectedUpstreamHeaders(sent, expected));
    }
  }

  /** The client's headers with the decision's removals and additions applied. */
  private static Map<String, List<String>> expectedUpstreamHeaders(
      List<Map.Entry<String, String>> sent, Expectation expected) {
    Set<String> removed = new java.util.HashSet<>();
    if (expected.upstreamRemoved() != null) {
      expected.upstreamRemoved().forEach(n -> removed.add(n.toLowerCase(Locale.ROOT)));
    }
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (Map.Entry<String, String> h : sent) {
      if (!removed.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        out.add(h);
      }
    }
    if (expected.upstreamAdded() != null) {
      out.addAll(expected.upstreamAdded().entrySet());
    }
    return headersOf(out);
  }

  /** Headers by lower-case name, values in order; those the proxy itself manages left out. */
  private static Map<String, List<String>> headersOf(List<Map.Entry<String, String>> headers) {
    TreeMap<String, List<String>> out = new TreeMap<>();
    for (Map.Entry<String, String> h : headers) {
      String n = h.getKey().toLowerCase(Locale.ROOT);
      if (PROXY_HEADERS.contains(n) || n.startsWith("x-envoy-")) {
        continue;
      }
      out.computeIfAbsent(n, k -> new ArrayList<>()).add(h.getValue().trim());
    }
    return out;
  }

  /** Sends one HTTP/2 request on a new connection; the response as the HTTP/1.1 runner sees it. */
  private static RawHttp.Response overHttp2(
      ProxyServer proxy, Protocol protocol, String sni, Http2Headers headers) throws Exception {
    try (RawH2 h2 = protocol.tls ? RawH2.tls(proxy.address(), sni) : RawH2.plain(proxy.address())) {
      h2.headers(1, headers, true);
      RawH2.Response r = h2.await(1);
      assertThat(r.status()).as("a response, not a reset (%d) or GOAWAY", r.reset()).isPositive();
      List<Map.Entry<String, String>> out = new ArrayList<>();
      for (Map.Entry<CharSequence, CharSequence> h : r.headers()) {
        if (h.getKey().charAt(0) != ':') {
          out.add(Map.entry(h.getKey().toString(), h.getValue().toString()));
        }
      }
      return new RawHttp.Response(r.status(), out, r.bodyText());
    }
  }

  /** The expectation of an `http` request sent over TLS: realms in `https`. */
  private static Expectation overTls(Expectation e) {
    if (e.responseHeaders() == null) {
      return e;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    e.responseHeaders()
        .forEach((k, v) -> headers.put(k, v.replace("realm=\"http://", "realm=\"https://")));
    return new Expectation(
        e.status(),
        e.reason(),
        e.policySet(),
        e.policy(),
        e.principalSet(),
        e.principal(),
        e.body(),
        headers,
        e.upstreamPath(),
        e.upstreamRemoved(),
        e.upstreamAdded(),
        e.trace(),
        e.shadowSet(),
        e.shadow());
  }

  /** Whether the request needs the TLS listener: a peer principal, SNI or `https`. */
  private static boolean overTls(CorpusRequest r) {
    return r.sourcePrincipal() != null || r.sni() != null || r.scheme().equals("https");
  }

  /**
   * One request over a new TLS connection: with a client certificate for the request's principal
   * (`spiffe://` + principal, unless it already has the scheme), asking for the request's SNI. A
   * client context per connection, so no session is resumed with another's name or identity.
   */
  private static RawHttp.Response exchangeOverTls(
      InetSocketAddress to, CorpusRequest r, String wire, boolean head) throws IOException {
    SSLContext client =
        r.sourcePrincipal() == null
            ? meshCa.clientContext()
            : meshCa.issueSpiffe(spiffeUri(r.sourcePrincipal())).clientContext();
    try (SSLSocket socket =
        (SSLSocket) client.getSocketFactory().createSocket(to.getAddress(), to.getPort())) {
      SSLParameters params = socket.getSSLParameters();
      params.setServerNames(r.sni() == null ? List.of() : List.of(new SNIHostName(r.sni())));
      socket.setSSLParameters(params);
      socket.setSoTimeout(RawHttp.HANG_GUARD_MILLIS);
      socket.getOutputStream().write(wire.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      RawHttp.Response response = RawHttp.read(socket.getInputStream(), head);
      if (response == null) {
        throw new IOException("connection closed without a response");
      }
      return response;
    }
  }

  private static String spiffeUri(String principal) {
    return principal.startsWith("spiffe://") ? principal : "spiffe://" + principal;
  }

  /** Why a request cannot be sent as-is over {@code protocol} from 127.0.0.1, or null. */
  private static String notOverASocket(CorpusRequest r, Protocol protocol) {
    String why = notOverASocket(r);
    if (why != null || protocol == Protocol.HTTP1) {
      return why;
    }
    if (r.sourcePrincipal() != null) {
      return "mTLS principal (the HTTP/2 client sends no certificate)";
    }
    if (!protocol.tls && overTls(r)) {
      return "TLS";
    }
    if (r.host() == null) {
      return "HTTP/1.0";
    }
    String target = Placeholders.resolve(r.path());
    if (!target.startsWith("/")) {
      return "no absolute-form in HTTP/2";
    }
    for (Map.Entry<String, String> h : r.resolvedHeaderEntries()) {
      if (NOT_IN_H2.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        return "HTTP/1-only header `" + h.getKey() + "`";
      }
    }
    return null;
  }

  /** Why a request cannot be sent as-is from 127.0.0.1, or null. */
  private static String notOverASocket(CorpusRequest r) {
    if (r.sourceIp() != null && !r.sourceIp().equals("127.0.0.1")) {
      return "peer address " + r.sourceIp();
    }
    if (!r.scheme().equals("http") && !r.scheme().equals("https")) {
      return "scheme " + r.scheme();
    }
    if (r.sourcePrincipal() != null) {
      try {
        java.net.URI uri = new java.net.URI(spiffeUri(r.sourcePrincipal()));
        if (!uri.isAbsolute()) {
          return "principal not a URI";
        }
      } catch (java.net.URISyntaxException e) {
        return "principal not a URI";
      }
    }
    if (r.sni() != null) {
      try {
        new SNIHostName(r.sni());
      } catch (IllegalArgumentException e) {
        return "SNI a client cannot send";
      }
    }
    if (r.destinationIp() != null || r.port() != 0) {
      return "destination address or port";
    }
    String target = Placeholders.resolve(r.path());
    if (!onTheWire(target) || target.indexOf(' ') >= 0 || target.isEmpty()) {
      return "request target";
    }
    for (Map.Entry<String, String> h : r.resolvedHeaderEntries()) {
      if (h.getKey().startsWith(":") || h.getKey().equalsIgnoreCase("host")) {
        return "pseudo-header or Host header";
      }
      if (!onTheWire(h.getKey()) || !onTheWire(h.getValue())) {
        return "header bytes";
      }
    }
    return null;
  }

  private static boolean onTheWire(String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch < 0x20 || ch > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
