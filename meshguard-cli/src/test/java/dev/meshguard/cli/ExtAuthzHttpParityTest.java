package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshguard.conformance.Corpus;
import dev.meshguard.conformance.CorpusCase;
import dev.meshguard.conformance.CorpusRequest;
import dev.meshguard.conformance.Placeholders;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.Workload;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.proxy.HttpAuthorizationRequests;
import dev.meshguard.proxy.HttpAuthorizationServer;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.FilePolicyLoader;
import dev.meshguard.runtime.LoadResult;
import dev.meshguard.runtime.MeshguardMetrics;
import dev.meshguard.runtime.custom.CustomAuthorizers;
import dev.meshguard.runtime.custom.ProviderMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * `extauthz --http` and `check` give the same answer: every request of the conformance corpus is
 * sent over a real socket as Envoy's `http_service` sends it (original method, the path behind the
 * path prefix, the original header lines, Host included) and compared with `meshguard check --json`
 * run in-process on the request as the HTTP server can know it. That protocol carries no peer
 * facts, so the peer is the caller (127.0.0.1) and there is no mTLS principal, destination or SNI:
 * `check` is told exactly that. Compared: status, body and response headers of a denial; for an
 * allow, the headers set for the upstream and those Envoy is told to remove
 * (`x-envoy-auth-headers-to-remove`).
 */
class ExtAuthzHttpParityTest {
  /**
   * CUSTOM providers are asked as `check` asks them (the corpus's are unreachable), each time: a
   * circuit opened by earlier cases would word the denial differently from a one-shot `check`.
   */
  private static final CustomAuthorizers PROVIDERS =
      ProviderClients.create(new ProviderMetrics(), 0);

  private static final String PATH_PREFIX = "/authz";

  /** Headers the HTTP server writes for the transport itself, not for the decision. */
  private static final Set<String> TRANSPORT_HEADERS =
      Set.of("content-length", "content-type", "connection");

  @TempDir static Path dir;
  private static RemoteJwksSources jwks;
  private static final AtomicReference<Instant> now = new AtomicReference<>(Instant.EPOCH);
  private static final AtomicReference<PolicySnapshot> policy = new AtomicReference<>();
  private static final Map<Integer, HttpAuthorizationServer> servers = new HashMap<>();
  private static final Map<CorpusCase, CaseFiles> files = new HashMap<>();

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
  static void start() {
    jwks = new RemoteJwksSources(RemoteJwksOptions.defaults());
  }

  @AfterAll
  static void stop() {
    servers.values().forEach(HttpAuthorizationServer::close);
    jwks.close();
    PROVIDERS.close();
  }

  /** One server per `numTrustedProxies`, which is a setting of the `extauthz` command. */
  private static synchronized InetSocketAddress server(int hops) throws IOException {
    HttpAuthorizationServer server = servers.get(hops);
    if (server == null) {
      server =
          HttpAuthorizationServer.start(
              new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
              new HttpAuthorizationRequests(
                  HttpAuthorizationRequests.Dialect.ENVOY, PATH_PREFIX, hops),
              policy::get,
              Decider.engine(CLOCK, PROVIDERS),
              new MeshguardMetrics());
      servers.put(hops, server);
    }
    return server.address();
  }

  @TestFactory
  Stream<DynamicTest> corpus() {
    List<DynamicTest> tests = new ArrayList<>();
    for (CorpusCase c : Corpus.load()) {
      if (!c.configErrors().isEmpty()) {
        continue;
      }
      for (CorpusRequest r : c.requests()) {
        tests.add(
            DynamicTest.dynamicTest(c.displayName() + " :: " + r.name(), () -> assertSame(c, r)));
      }
    }
    return tests.stream();
  }

  private record CaseFiles(List<String> workloadArgs, PolicySnapshot snapshot) {}

  private static synchronized CaseFiles files(CorpusCase c) throws IOException {
    CaseFiles f = files.get(c);
    if (f == null) {
      Path caseDir = Files.createTempDirectory(dir, c.file().replace(".yaml", "") + "-");
      Path config = caseDir.resolve("config.yaml");
      Files.writeString(config, Placeholders.resolve(c.config()), StandardCharsets.UTF_8);
      List<String> args = new ArrayList<>();
      args.add("--config=" + config);
      args.add("--namespace=" + c.namespace());
      if (!c.labels().isEmpty()) {
        List<String> labels = new ArrayList<>();
        c.labels().forEach((k, v) -> labels.add(k + "=" + v));
        args.add("--labels=" + String.join(",", labels));
      }
      Path mesh = null;
      if (!c.mesh().isDefault()) {
        mesh = caseDir.resolve("mesh.yaml");
        Files.writeString(mesh, c.mesh().toMeshConfigYaml(), StandardCharsets.UTF_8);
        args.add("--mesh-config=" + mesh);
      }
      LoadResult loaded =
          new FilePolicyLoader(
                  List.of(config),
                  mesh,
                  null,
                  new Workload(c.namespace(), c.labels()),
                  jwks::remote,
                  true)
              .load();
      f = new CaseFiles(List.copyOf(args), loaded.ok() ? loaded.snapshot() : null);
      files.put(c, f);
    }
    return f;
  }

  private static void assertSame(CorpusCase c, CorpusRequest r) throws Exception {
    String why = notAnHttpCall(r);
    Assumptions.assumeTrue(why == null, () -> "not expressible as an HTTP check call: " + why);
    CaseFiles f = files(c);
    assertThat(f.snapshot()).as("configuration of %s loads", c.displayName()).isNotNull();

    JsonNode check = InProcessCheck.run(checkArgs(f, r).toArray(String[]::new));

    policy.set(f.snapshot());
    now.set(Instant.ofEpochSecond(r.nowEpochSeconds()));
    String wire = wire(r);
    boolean head = r.method().equals("HEAD");
    RawHttp.Response answer = RawHttp.exchange(server(r.numTrustedProxies()), wire, head);

    String context = c.displayName() + " :: " + r.name() + "\ncheck: " + check + "\nsent:\n" + wire;
    boolean allowed = answer.status() == 200;
    assertThat(allowed).as("allowed, " + context).isEqualTo(check.path("allowed").asBoolean());
    Map<String, String> headers = new TreeMap<>();
    for (Map.Entry<String, String> h : answer.headers()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!TRANSPORT_HEADERS.contains(name)) {
        assertThat(headers.put(name, h.getValue()))
            .as("`%s` answered once, %s", name, context)
            .isNull();
      }
    }
    if (!allowed) {
      assertThat(answer.status()).as("status, " + context).isEqualTo(check.path("status").asInt());
      if (!head) {
        // a HEAD answer carries no body, to Envoy neither
        String body = textOrNull(check, "body");
        assertThat(answer.body()).as("body, " + context).isEqualTo(body == null ? "" : body);
      }
      assertThat(headers)
          .as("response headers, " + context)
          .isEqualTo(new TreeMap<>(map(check.get("responseHeaders"))));
      return;
    }
    JsonNode upstream = check.get("upstream");
    Map<String, String> added = new TreeMap<>(map(upstream.get("addHeaders")));
    TreeSet<String> expectedRemoved = new TreeSet<>();
    upstream.path("removeHeaders").forEach(n -> expectedRemoved.add(n.asText()));
    expectedRemoved.removeAll(added.keySet());
    String removeList = headers.remove("x-envoy-auth-headers-to-remove");
    TreeSet<String> removed = new TreeSet<>();
    if (removeList != null) {
      removed.addAll(List.of(removeList.split(",", -1)));
    }
    assertThat(removed)
        .as("headers Envoy is told to remove, " + context)
        .isEqualTo(expectedRemoved);
    assertThat(headers).as("headers set for the upstream, " + context).isEqualTo(added);
  }

  /** Envoy's check call: the original request line behind the prefix and its header lines. */
  private static String wire(CorpusRequest r) {
    StringBuilder wire = new StringBuilder();
    wire.append(r.method()).append(' ').append(PATH_PREFIX).append(Placeholders.resolve(r.path()));
    wire.append(r.host() == null ? " HTTP/1.0\r\n" : " HTTP/1.1\r\nHost: " + r.host() + "\r\n");
    for (Map.Entry<String, String> h : r.resolvedHeaderEntries()) {
      wire.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    return wire.append("\r\n").toString();
  }

  /** `check` on the request as the HTTP server knows it: peer 127.0.0.1, plain HTTP, no port. */
  private static List<String> checkArgs(CaseFiles f, CorpusRequest r) {
    List<String> args = new ArrayList<>();
    args.add("check");
    args.addAll(f.workloadArgs());
    args.add("--json");
    args.add("--method=" + r.method());
    args.add("--scheme=http");
    args.add("--path=" + Placeholders.resolve(r.path()));
    if (r.host() != null) {
      args.add("--host=" + r.host());
    }
    for (Map.Entry<String, String> h : r.resolvedHeaderEntries()) {
      args.add("--header=" + h.getKey() + ": " + h.getValue());
    }
    args.add("--source-ip=127.0.0.1");
    if (r.numTrustedProxies() != 0) {
      args.add("--num-trusted-proxies=" + r.numTrustedProxies());
    }
    args.add("--now=" + r.nowEpochSeconds());
    return args;
  }

  /** Why a request cannot be an HTTP check call, or null: Envoy's `:path` is origin-form. */
  private static String notAnHttpCall(CorpusRequest r) {
    String target = Placeholders.resolve(r.path());
    if (!target.startsWith("/") || !onTheWire(target) || target.indexOf(' ') >= 0) {
      return "request target";
    }
    for (Map.Entry<String, String> h : r.resolvedHeaderEntries()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith(":") || name.equals("host")) {
        return "pseudo-header or Host header";
      }
      if (name.equals("content-length") || name.equals("transfer-encoding")) {
        return "framing header";
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

  private static String textOrNull(JsonNode json, String key) {
    JsonNode node = json.get(key);
    return node == null || node.isNull() ? null : node.asText();
  }

  private static Map<String, String> map(JsonNode object) {
    Map<String, String> out = new TreeMap<>();
    if (object != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().asText());
      }
    }
    return out;
  }
}
