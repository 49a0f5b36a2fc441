package dev.meshguard.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.source.SourcedConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * 10,000 AuthorizationPolicies in 100 namespaces, listed through the API (in pages) and compiled.
 * Prints the numbers the README quotes (time to the first view, one workload's compile, heap per
 * 1,000 policies, and the time from a change to the new view); asserts only the outcome, never a
 * time.
 */
class TenThousandPoliciesTest {
  static final int POLICIES = 10_000;
  static final int NAMESPACES = 100;

  static String policy(int i) {
    return """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: policy-%d
          namespace: ns-%d
          labels: {team: t%d}
        spec:
          selector: {matchLabels: {app: app-%d}}
          action: %s
          rules:
          - from:
            - source: {principals: ["cluster.local/ns/ns-%d/sa/client-%d"]}
            to:
            - operation: {methods: [GET, POST], paths: ["/api/v%d/*", "/items/{*}/detail"]}
            when:
            - key: request.headers[x-tenant]
              values: ["tenant-%d"]
        """
        .formatted(
            i,
            i % NAMESPACES,
            i % 7,
            i % 50,
            i % 10 == 0 ? "DENY" : "ALLOW",
            i % NAMESPACES,
            i,
            i % 3,
            i);
  }

  @Test
  void tenThousandPoliciesAreListedAndCompiled() throws Exception {
    try (MockApiServer api = MockApiServer.start();
        KubernetesClient admin = api.client()) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> created = new ArrayList<>();
      for (int i = 0; i < POLICIES; i++) {
        int n = i;
        created.add(pool.submit(() -> MockApiServer.apply(admin, policy(n))));
      }
      for (Future<?> f : created) {
        f.get();
      }
      pool.shutdown();

      long heapBefore = usedHeapAfterGc();
      long start = System.nanoTime();
      try (KubeConfigSource source =
          KubeConfigSource.start(
              api.client(),
              KubeSettings.defaults().withPostEvents(false),
              new PrintStream(new ByteArrayOutputStream(), true))) {
        assertThat(source.awaitFirstView(java.time.Duration.ofMinutes(5))).isTrue();
        long firstView = System.nanoTime() - start;
        SourcedConfig view = source.current();
        assertThat(view.config().authorizationPolicies()).hasSize(POLICIES);
        assertThat(view.skipped()).isEmpty();
        long heapAfter = usedHeapAfterGc();

        long compileStart = System.nanoTime();
        PolicySnapshot snapshot =
            SnapshotCompiler.compile(
                view.config(),
                view.mesh(),
                new Workload("ns-7", Map.of("app", "app-7")),
                (rule, config) -> JwksSource.failing(JwtStatus.JWKS_FETCH_FAIL, "x", "x"));
        long compile = System.nanoTime() - compileStart;
        assertThat(snapshot.hasErrors()).isFalse();
        assertThat(snapshot.dump().toString()).contains("policy-7");

        long changeStart = System.nanoTime();
        MockApiServer.apply(admin, policy(7).replace("/api/v1/*", "/changed/*"));
        KubeConfigSourceTest.await(
            "the change",
            () ->
                source.current().config().authorizationPolicies().stream()
                    .filter(p -> p.metadata().name().equals("policy-7"))
                    .anyMatch(p -> p.rules().toString().contains("/changed/*")));
        long change = System.nanoTime() - changeStart;

        System.out.printf(
            "meshguard-kube numbers: %d AuthorizationPolicies: first view (paged list, read,"
                + " validated, checked) %d ms; one workload's snapshot compiled in %d ms; heap"
                + " %.1f MB per 1,000 policies (informer store and documents); one change to a new"
                + " view %d ms%n",
            POLICIES,
            firstView / 1_000_000,
            compile / 1_000_000,
            (heapAfter - heapBefore) / 1e6 / (POLICIES / 1000.0),
            change / 1_000_000);
      }
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
