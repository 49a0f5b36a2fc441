package dev.meshguard.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.source.SourcedConfig;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The source against fabric8's mock API server in CRUD mode: objects in, decisions out. */
class KubeConfigSourceTest {
  static final Duration HANG_GUARD = Duration.ofSeconds(20);
  static final Workload HTTPBIN = new Workload("foo", Map.of("app", "httpbin"));

  private MockApiServer api;
  private KubernetesClient admin;
  private KubeConfigSource source;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  @BeforeEach
  void startServer() {
    api = MockApiServer.start();
    admin = api.client();
  }

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
    admin.close();
    api.close();
  }

  static String policy(String name, String action, String path) {
    return """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: %s, namespace: foo}
        spec:
          action: %s
          rules:
          - to:
            - operation: {paths: ["%s"]}
        """
        .formatted(name, action, path);
  }

  KubeConfigSource startSource(KubeSettings settings) throws InterruptedException {
    source =
        KubeConfigSource.start(
            api.client(), settings, new PrintStream(log, true, StandardCharsets.UTF_8));
    assertThat(source.awaitFirstView(HANG_GUARD)).as("first view; log:\n%s", log()).isTrue();
    return source;
  }

  String log() {
    return log.toString(StandardCharsets.UTF_8);
  }

  static int status(SourcedConfig view, Workload workload, String path) {
    PolicySnapshot snapshot =
        SnapshotCompiler.compile(
            view.config(),
            view.mesh(),
            workload,
            (rule, config) -> JwksSource.failing(JwtStatus.JWKS_FETCH_FAIL, "offline", "offline"));
    CheckRequest request =
        new CheckRequest(
            "GET",
            "http",
            "example.com",
            path,
            RequestHeaders.of(List.of()),
            "10.0.0.1",
            "10.0.0.1",
            null,
            null,
            8080,
            null);
    Decision decision = Engine.decide(snapshot, request, Clock.systemUTC());
    return decision.status();
  }

  int status(String path) {
    return status(source.current(), HTTPBIN, path);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + HANG_GUARD.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void createUpdateAndDeleteChangeDecisions() throws Exception {
    MockApiServer.apply(admin, policy("deny-admin", "DENY", "/admin"));
    startSource(KubeSettings.defaults());
    assertThat(status("/admin")).isEqualTo(403);
    assertThat(status("/secret")).isEqualTo(200);

    long applied = System.nanoTime();
    MockApiServer.apply(admin, policy("deny-admin", "DENY", "/secret"));
    await("the update", () -> status("/secret") == 403);
    // the README's "apply to enforced" figure (a time is printed, never asserted)
    System.out.printf(
        "meshguard-kube numbers: apply to enforced %d ms%n",
        (System.nanoTime() - applied) / 1_000_000);
    assertThat(status("/admin")).isEqualTo(200);

    MockApiServer.delete(admin, policy("deny-admin", "DENY", "/secret"));
    await("the delete", () -> status("/secret") == 200);
    assertThat(source.synced()).isTrue();
  }

  @Test
  void anInvalidObjectIsSkippedWithAnEventWhileTheOthersApply() throws Exception {
    MockApiServer.apply(admin, policy("deny-admin", "DENY", "/admin"));
    startSource(KubeSettings.defaults());
    MockApiServer.apply(
        admin,
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: broken, namespace: foo}
        spec:
          action: DENY
          rules:
          - from:
            - source: {ipBlocks: ["not-an-ip"]}
        """);
    MockApiServer.apply(admin, policy("deny-secret", "DENY", "/secret"));
    await("the valid policy", () -> status("/secret") == 403);
    assertThat(status("/admin")).isEqualTo(403);
    SourcedConfig view = source.current();
    assertThat(view.skipped()).anyMatch(f -> f.isError() && f.file().contains("broken"));
    assertThat(view.config().authorizationPolicies())
        .extracting(p -> p.metadata().name())
        .containsExactlyInAnyOrder("deny-admin", "deny-secret");
    await(
        "the event",
        () ->
            admin.v1().events().inNamespace("foo").list().getItems().stream()
                .anyMatch(e -> e.getInvolvedObject().getName().equals("broken")));
    Event event =
        admin.v1().events().inNamespace("foo").list().getItems().stream()
            .filter(e -> e.getInvolvedObject().getName().equals("broken"))
            .findFirst()
            .orElseThrow();
    assertThat(event.getType()).isEqualTo("Warning");
    assertThat(event.getReason()).isEqualTo(InvalidObjectEvents.REASON);
    assertThat(event.getMessage()).contains("ipBlocks").contains("bad");
    assertThat(event.getInvolvedObject().getKind()).isEqualTo("AuthorizationPolicy");
    assertThat(log()).contains("k8s:AuthorizationPolicy/foo/broken");
  }
}
