package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshguard.kube.MockApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `bin/meshguard serve --kube` (the shaded jar: fabric8's service files must survive shading)
 * against fabric8's mock API server in CRUD mode, reached through a KUBECONFIG file as users do:
 * objects created, changed and deleted change decisions; an invalid object is skipped with an Event
 * while the others apply; the API server stopped mid-run leaves the last configuration serving and
 * readiness up, and the gateway catches up once it is back.
 */
class ServeKubeIT {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long HANG_GUARD_NANOS = 60_000_000_000L;

  @TempDir Path dir;

  static String deny(String name, String path) {
    return """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: %s, namespace: foo}
        spec:
          action: DENY
          rules:
          - to:
            - operation: {paths: ["%s"]}
        """
        .formatted(name, path);
  }

  private static HttpResponse<String> get(InetSocketAddress to, String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.getPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int status(InetSocketAddress to, String path) throws Exception {
    return get(to, path).statusCode();
  }

  private static void await(String what, ThrowingCheck check, MeshguardProcess meshguard)
      throws Exception {
    long deadline = System.nanoTime() + HANG_GUARD_NANOS;
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "\n" + meshguard.transcript());
      }
      Thread.sleep(50);
    }
  }

  interface ThrowingCheck {
    boolean ok() throws Exception;
  }

  private static Predicate<String> metric(String name, String value) {
    return text -> text.lines().anyMatch(l -> l.startsWith(name + " ") && l.endsWith(" " + value));
  }

  @Test
  void servesFromTheClusterThroughChangesInvalidObjectsAndAnOutage() throws Exception {
    try (MockApiServer api = MockApiServer.start();
        KubernetesClient admin = api.client();
        EchoUpstream upstream = new EchoUpstream()) {
      MockApiServer.apply(admin, deny("deny-admin", "/admin"));
      Path kubeconfig = api.writeKubeconfig(dir);
      try (MeshguardProcess meshguard =
          MeshguardProcess.startScript(
              Map.of("KUBECONFIG", kubeconfig.toString()),
              "serve",
              "--kube",
              "--upstream",
              upstream.url(),
              "--listen",
              "127.0.0.1:0",
              "--admin",
              "127.0.0.1:0",
              "--namespace",
              "foo",
              "--access-log",
              "off")) {
        InetSocketAddress proxy = meshguard.listenAddress();
        InetSocketAddress adminPort = meshguard.adminAddress();
        assertThat(status(proxy, "/admin")).isEqualTo(403);
        assertThat(status(proxy, "/other")).isEqualTo(200);

        // update and delete
        MockApiServer.apply(admin, deny("deny-admin", "/other"));
        await("the update", () -> status(proxy, "/other") == 403, meshguard);
        assertThat(status(proxy, "/admin")).isEqualTo(200);
        MockApiServer.delete(admin, deny("deny-admin", "/other"));
        await("the delete", () -> status(proxy, "/other") == 200, meshguard);

        // an invalid object is skipped, reported, and the others apply
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
        MockApiServer.apply(admin, deny("deny-secret", "/secret"));
        await("the valid policy", () -> status(proxy, "/secret") == 403, meshguard);
        assertThat(status(proxy, "/other")).isEqualTo(200);
        await(
            "an event on the invalid object",
            () ->
                admin.v1().events().inNamespace("foo").list().getItems().stream()
                    .anyMatch(e -> e.getInvolvedObject().getName().equals("broken")),
            meshguard);
        String dump = get(adminPort, "/config_dump").body();
        assertThat(dump).contains("k8s:AuthorizationPolicy/foo/broken").contains("ipBlocks");
        assertThat(get(adminPort, "/stats/prometheus").body())
            .matches(metric("meshguard_kube_objects_skipped", "1.0"))
            .matches(metric("meshguard_kube_synced", "1.0"));
        meshguard.awaitStderr(l -> l.contains("k8s:AuthorizationPolicy/foo/broken"));

        // the API server goes away: decisions go on, readiness stays up and says so
        api.stop();
        await(
            "readiness to show the outage",
            () -> {
              HttpResponse<String> ready = get(adminPort, "/healthz/ready");
              JsonNode body = JSON.readTree(ready.body());
              return ready.statusCode() == 200
                  && !body.path("kubernetes").path("synced").asBoolean();
            },
            meshguard);
        assertThat(get(adminPort, "/stats/prometheus").body())
            .matches(metric("meshguard_kube_synced", "0.0"));
        assertThat(status(proxy, "/secret")).isEqualTo(403);
        assertThat(status(proxy, "/other")).isEqualTo(200);

        // back: the gateway catches up
        api.restart();
        await(
            "the watch to come back",
            () ->
                JSON.readTree(get(adminPort, "/healthz/ready").body())
                    .path("kubernetes")
                    .path("synced")
                    .asBoolean(),
            meshguard);
        MockApiServer.apply(admin, deny("deny-after", "/after"));
        await("a policy made after the outage", () -> status(proxy, "/after") == 403, meshguard);
        assertThat(status(proxy, "/secret")).isEqualTo(403);

        assertThat(meshguard.terminate()).as(meshguard.transcript()).isZero();
        assertThat(meshguard.stderr)
            .as("no SLF4J or fabric8 complaints about missing services in the shaded jar")
            .noneMatch(l -> l.contains("SLF4J") || l.contains("No httpclient implementations"));
      }
    }
  }

  @Test
  void extauthzServesFromTheClusterToo() throws Exception {
    try (MockApiServer api = MockApiServer.start();
        KubernetesClient admin = api.client()) {
      MockApiServer.apply(admin, deny("deny-admin", "/admin"));
      Path kubeconfig = api.writeKubeconfig(dir);
      try (MeshguardProcess meshguard =
          MeshguardProcess.startScript(
              Map.of("KUBECONFIG", kubeconfig.toString(), "POD_NAMESPACE", "foo"),
              "extauthz",
              "--kube",
              "--listen",
              "127.0.0.1:0",
              "--admin",
              "127.0.0.1:0")) {
        meshguard.listenAddress();
        InetSocketAddress adminPort = meshguard.adminAddress();
        JsonNode ready = JSON.readTree(get(adminPort, "/healthz/ready").body());
        assertThat(ready.path("kubernetes").path("synced").asBoolean())
            .as(ready.toString())
            .isTrue();
        assertThat(get(adminPort, "/config_dump").body()).contains("foo/deny-admin");
        MockApiServer.apply(admin, deny("deny-more", "/more"));
        await(
            "the new policy in the configuration in force",
            () -> get(adminPort, "/config_dump").body().contains("foo/deny-more"),
            meshguard);
        assertThat(meshguard.terminate()).as(meshguard.transcript()).isZero();
      }
    }
  }
}
