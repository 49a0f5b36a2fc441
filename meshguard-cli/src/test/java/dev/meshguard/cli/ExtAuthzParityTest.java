package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import dev.meshguard.conformance.Corpus;
import dev.meshguard.conformance.CorpusCase;
import dev.meshguard.conformance.CorpusRequest;
import dev.meshguard.conformance.Placeholders;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.Workload;
import dev.meshguard.extauthz.AuthorizationService;
import dev.meshguard.extauthz.RequestWorkload;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.FilePolicyLoader;
import dev.meshguard.runtime.LoadResult;
import dev.meshguard.runtime.MeshguardMetrics;
import dev.meshguard.runtime.WorkloadSnapshots;
import dev.meshguard.runtime.custom.CustomAuthorizers;
import dev.meshguard.runtime.custom.ProviderMetrics;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * `extauthz` and `check` give the same answer: every request of the conformance corpus is sent as
 * Envoy sends it (`header_map`, one entry per header line) over a real socket to the ext_authz
 * service, and compared with `meshguard check --json` run in-process on the same request: allowed
 * or not, status, body, response headers, the header changes for the upstream, policy, reason and
 * principal. Agreement is asserted even where the engine still has a pending fix: this is about the
 * front ends, not about Istio.
 */
class ExtAuthzParityTest {
  /**
   * CUSTOM providers are asked as `check` asks them (the corpus's are unreachable), each time: a
   * circuit opened by earlier cases would word the denial differently from a one-shot `check`.
   */
  private static final CustomAuthorizers PROVIDERS =
      ProviderClients.create(new ProviderMetrics(), 0);

  @TempDir static Path dir;
  private static RemoteJwksSources jwks;
  private static final AtomicReference<Instant> now = new AtomicReference<>(Instant.EPOCH);
  private static final AtomicReference<PolicySnapshot> policy = new AtomicReference<>();
  private static final Map<Integer, Server> servers = new HashMap<>();
  private static final Map<Integer, ManagedChannel> channels = new HashMap<>();

  /**
   * The multi-workload server's command-line workload, which no case uses: every request must
   * choose its workload through `context_extensions`.
   */
  private static final Workload UNUSED_WORKLOAD = new Workload("meshguard-parity-unused", Map.of());

  /** The configuration in force in the multi-workload servers, loaded for UNUSED_WORKLOAD. */
  private static final AtomicReference<LoadResult> multiWorkloadConfig = new AtomicReference<>();

  private static final WorkloadSnapshots multiWorkloadSnapshots =
      new WorkloadSnapshots(multiWorkloadConfig::get, 64);
  private static final Map<Integer, Server> multiServers = new HashMap<>();
  private static final Map<Integer, ManagedChannel> multiChannels = new HashMap<>();
  private static final Map<CorpusCase, CaseFiles> files = new HashMap<>();

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
  static void start() {
    jwks = new RemoteJwksSources(RemoteJwksOptions.defaults());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    for (ManagedChannel c : multiChannels.values()) {
      c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    for (Server s : servers.values()) {
      s.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    for (Server s : multiServers.values()) {
      s.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    jwks.close();
    PROVIDERS.close();
  }

  /** One server per `numTrustedProxies`, which is a setting of the `extauthz` command. */
  private static synchronized AuthorizationGrpc.AuthorizationBlockingStub client(int hops)
      throws IOException {
    ManagedChannel channel = channels.get(hops);
    if (channel == null) {
      Server server =
          NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
              .addService(
                  new AuthorizationService(
                      policy::get,
                      Decider.engine(CLOCK, PROVIDERS),
                      hops,
                      new MeshguardMetrics(),
                      Runnable::run))
              .build()
              .start();
      servers.put(hops, server);
      channel =
          NettyChannelBuilder.forAddress((InetSocketAddress) server.getListenSockets().get(0))
              .usePlaintext()
              .build();
      channels.put(hops, channel);
    }
    return AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /**
   * One server per `numTrustedProxies` for every workload: it decides each call for the workload
   * named by the call's `context_extensions`, as `extauthz` does for a whole mesh.
   */
  private static synchronized AuthorizationGrpc.AuthorizationBlockingStub multiWorkloadClient(
      int hops) throws IOException {
    ManagedChannel channel = multiChannels.get(hops);
    if (channel == null) {
      Server server =
          NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
              .addService(
                  new AuthorizationService(
                      multiWorkloadSnapshots::of,
                      new RequestWorkload(UNUSED_WORKLOAD, null),
                      Decider.engine(CLOCK, PROVIDERS),
                      hops,
                      new MeshguardMetrics(),
                      Runnable::run))
              .build()
              .start();
      multiServers.put(hops, server);
      channel =
          NettyChannelBuilder.forAddress((InetSocketAddress) server.getListenSockets().get(0))
              .usePlaintext()
              .build();
      multiChannels.put(hops, channel);
    }
    return AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
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

  /** The case's files, and the snapshot `extauthz` would load from them. */
  private record CaseFiles(
      List<String> workloadArgs, PolicySnapshot snapshot, LoadResult multiWorkload) {}

  private static synchronized CaseFiles files(CorpusCase c) throws IOException {
    CaseFiles f = files.get(c);
    if (f == null) {
      Path caseDir = Files.createTempDirectory(dir, c.file().replace(".yaml", "") + "-");
      Path config = caseDir.resolve("config.yaml");
      Files.writeString(config, Placeholders.resolve(c.config()), StandardCharsets.UTF_8);
      List<String> args = new ArrayList<>();
      args.add("--config=" + config);
      args.addAll(c.workloadArguments());
      Path mesh = null;
      if (!c.mesh().isDefault()) {
        mesh = caseDir.resolve("mesh.yaml");
        Files.writeString(mesh, c.mesh().toMeshConfigYaml(), StandardCharsets.UTF_8);
        args.add("--mesh-config=" + mesh);
      }
      LoadResult loaded =
          new FilePolicyLoader(List.of(config), mesh, null, c.workload(), jwks::remote, true)
              .load();
      LoadResult multiWorkload =
          new FilePolicyLoader(List.of(config), mesh, null, UNUSED_WORKLOAD, jwks::remote, true)
              .load();
      f =
          new CaseFiles(
              List.copyOf(args),
              loaded.ok() ? loaded.snapshot() : null,
              multiWorkload.ok() ? multiWorkload : null);
      files.put(c, f);
    }
    return f;
  }

  private static void assertSame(CorpusCase c, CorpusRequest r) throws Exception {
    List<Map.Entry<String, String>> headers = r.resolvedHeaderEntries();
    for (Map.Entry<String, String> h : headers) {
      // Envoy carries the host in `http.host`, never as a header; `check` keeps such a header
      Assumptions.assumeFalse(
          h.getKey().equalsIgnoreCase("host") || h.getKey().equalsIgnoreCase(":authority"),
          "a Host or :authority header line");
    }
    CaseFiles f = files(c);
    assertThat(f.snapshot()).as("configuration of %s loads", c.displayName()).isNotNull();
    assertThat(f.multiWorkload()).as("configuration of %s loads", c.displayName()).isNotNull();

    JsonNode check = InProcessCheck.run(checkArgs(f, r).toArray(String[]::new));

    policy.set(f.snapshot());
    now.set(Instant.ofEpochSecond(r.nowEpochSeconds()));
    CheckRequest envoy = envoyRequest(r, headers);
    CheckResponse answer = client(r.numTrustedProxies()).check(envoy);

    String context =
        c.displayName() + " :: " + r.name() + "\ncheck: " + check + "\nextauthz: " + answer;
    multiWorkloadConfig.set(f.multiWorkload());
    List<String> labels = new ArrayList<>();
    c.labels().forEach((k, v) -> labels.add(k + "=" + v));
    CheckResponse multiAnswer =
        multiWorkloadClient(r.numTrustedProxies())
            .check(
                envoy.toBuilder()
                    .setAttributes(
                        envoy.getAttributes().toBuilder()
                            .putContextExtensions(RequestWorkload.NAMESPACE_KEY, c.namespace())
                            .putContextExtensions(
                                RequestWorkload.LABELS_KEY, String.join(",", labels))
                            .putContextExtensions(
                                RequestWorkload.SERVICE_KEY,
                                c.service() == null ? "" : c.service()))
                    .build());
    assertThat(multiAnswer).as("the multi-workload server's answer, " + context).isEqualTo(answer);
    boolean allowed = answer.getStatus().getCode() == 0;
    assertThat(allowed).as("allowed, " + context).isEqualTo(check.path("allowed").asBoolean());
    Struct facts = answer.getDynamicMetadata().getFieldsOrThrow("meshguard").getStructValue();
    assertThat(text(facts, "reason"))
        .as("reason, " + context)
        .isEqualTo(textOrNull(check, "reason"));
    assertThat(text(facts, "policy"))
        .as("policy, " + context)
        .isEqualTo(textOrNull(check, "policy"));
    assertThat(text(facts, "principal"))
        .as("principal, " + context)
        .isEqualTo(textOrNull(check, "principal"));
    for (String shadowKey : List.of("shadow_engine_result", "shadow_effective_policy_id")) {
      assertThat(text(facts, shadowKey))
          .as(shadowKey + ", " + context)
          .isEqualTo(textOrNull(check, shadowKey));
    }
    if (!allowed) {
      assertThat(answer.getDeniedResponse().getStatus().getCodeValue())
          .as("status, " + context)
          .isEqualTo(check.path("status").asInt());
      assertThat(answer.getDeniedResponse().getBody())
          .as("body, " + context)
          .isEqualTo(textOrNull(check, "body"));
      Map<String, String> responseHeaders = new TreeMap<>();
      for (HeaderValueOption h : answer.getDeniedResponse().getHeadersList()) {
        responseHeaders.put(h.getHeader().getKey(), h.getHeader().getValue());
      }
      assertThat(responseHeaders)
          .as("response headers, " + context)
          .isEqualTo(new TreeMap<>(map(check.get("responseHeaders"))));
      return;
    }
    // the same upstream view: what is removed, and what is set
    JsonNode upstream = check.get("upstream");
    Map<String, String> added = map(upstream.get("addHeaders"));
    TreeSet<String> expectedTouched = new TreeSet<>(added.keySet());
    upstream.path("removeHeaders").forEach(n -> expectedTouched.add(n.asText()));
    TreeSet<String> touched = new TreeSet<>(answer.getOkResponse().getHeadersToRemoveList());
    Map<String, String> set = new LinkedHashMap<>();
    for (HeaderValueOption h : answer.getOkResponse().getHeadersList()) {
      touched.add(h.getHeader().getKey());
      set.put(h.getHeader().getKey(), h.getHeader().getValue());
    }
    assertThat(touched).as("headers removed or replaced, " + context).isEqualTo(expectedTouched);
    assertThat(set).as("headers set, " + context).isEqualTo(added);
  }

  private static List<String> checkArgs(CaseFiles f, CorpusRequest r) {
    List<String> args = new ArrayList<>();
    args.add("check");
    args.addAll(f.workloadArgs());
    args.add("--json");
    args.addAll(CheckArguments.of(r));
    return args;
  }

  private static CheckRequest envoyRequest(
      CorpusRequest r, List<Map.Entry<String, String>> headers) {
    HeaderMap.Builder map = HeaderMap.newBuilder();
    for (Map.Entry<String, String> h : headers) {
      map.addHeaders(HeaderValue.newBuilder().setKey(h.getKey()).setValue(h.getValue()));
    }
    AttributeContext.HttpRequest.Builder http =
        AttributeContext.HttpRequest.newBuilder()
            .setMethod(r.method())
            .setScheme(r.scheme())
            .setPath(Placeholders.resolve(r.path()))
            .setHeaderMap(map);
    if (r.host() != null) {
      http.setHost(r.host());
    }
    AttributeContext.Builder attributes =
        AttributeContext.newBuilder()
            .setRequest(AttributeContext.Request.newBuilder().setHttp(http));
    AttributeContext.Peer.Builder source = AttributeContext.Peer.newBuilder();
    if (r.sourceIp() != null) {
      source.setAddress(address(r.sourceIp(), 0));
    }
    if (r.sourcePrincipal() != null) {
      source.setPrincipal(
          r.sourcePrincipal().startsWith("spiffe://")
              ? r.sourcePrincipal()
              : "spiffe://" + r.sourcePrincipal());
    }
    attributes.setSource(source);
    if (r.destinationIp() != null || r.port() != 0) {
      attributes.setDestination(
          AttributeContext.Peer.newBuilder()
              .setAddress(address(r.destinationIp() == null ? "" : r.destinationIp(), r.port())));
    }
    if (r.sni() != null) {
      attributes.setTlsSession(AttributeContext.TLSSession.newBuilder().setSni(r.sni()));
    }
    return CheckRequest.newBuilder().setAttributes(attributes).build();
  }

  private static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }

  private static String text(Struct s, String key) {
    return s.containsFields(key) ? s.getFieldsOrThrow(key).getStringValue() : null;
  }

  private static String textOrNull(JsonNode json, String key) {
    JsonNode node = json.get(key);
    return node == null || node.isNull() ? null : node.asText();
  }

  private static Map<String, String> map(JsonNode object) {
    Map<String, String> out = new LinkedHashMap<>();
    if (object != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), e.getValue().asText());
      }
    }
    return out;
  }
}
