package dev.meshguard.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * fabric8's Kubernetes mock server in CRUD mode (objects created through the API are stored, listed
 * and watched), on a fixed loopback port so that it can be stopped and started again with the same
 * objects, as an API server outage. Watches run over plain HTTP streams (`watch=true`, chunked),
 * the protocol every API server speaks.
 *
 * <p>Shared with meshguard-cli's end-to-end tests (test jar): {@link #writeKubeconfig} points a
 * `bin/meshguard --kube` process at it.
 */
public final class MockApiServer implements AutoCloseable {
  /** Held so the level sticks: the mock logs every request at INFO. */
  private static final java.util.logging.Logger MOCK_LOG = quiet();

  private static java.util.logging.Logger quiet() {
    java.util.logging.Logger logger =
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    logger.setLevel(java.util.logging.Level.WARNING);
    return logger;
  }

  private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher(List.of());
  private final AtomicBoolean goneOnNextWatch = new AtomicBoolean();
  private final AtomicInteger lists = new AtomicInteger();
  private final AtomicInteger gones = new AtomicInteger();
  private KubernetesMockServer server;
  private int port;

  /** Starts on a free loopback port. */
  public static MockApiServer start() {
    MockApiServer api = new MockApiServer();
    api.startServer(0);
    return api;
  }

  private void startServer(int fixedPort) {
    Dispatcher dispatcher =
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            boolean watch = path.contains("watch=true");
            if (watch && goneOnNextWatch.compareAndSet(true, false)) {
              gones.incrementAndGet();
              // what an API server says to a watch from a compacted resourceVersion: the watch
              // opens, then an ERROR event carries a Status with code 410
              return new MockResponse()
                  .withWebSocketUpgrade(
                      new WebSocketListener() {
                        @Override
                        public void onOpen(WebSocket socket, Response response) {
                          socket.send(
                              "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\","
                                  + "\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                  + "\"message\":\"too old resource version\","
                                  + "\"reason\":\"Expired\",\"code\":410}}");
                          socket.close(1000, "expired");
                        }
                      });
            }
            if (!watch && request.getMethod().equals("GET")) {
              lists.incrementAndGet();
            }
            return crud.dispatch(request);
          }
        };
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), fixedPort);
    port = server.getPort();
  }

  /** Stops answering, as an API server that went down (objects are kept). */
  public void stop() {
    server.destroy();
  }

  /** Answers again on the same port, with the same objects. */
  public void restart() {
    startServer(port);
  }

  /** The next watch gets `410 Gone`, as after compaction of an old resourceVersion. */
  public void expireNextWatch() {
    goneOnNextWatch.set(true);
  }

  /** How many watch requests got `410 Gone`. */
  public int gones() {
    return gones.get();
  }

  /** How many GET requests other than watches (lists, discovery, single gets) arrived. */
  public int lists() {
    return lists.get();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public Config config() {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withNamespace("default")
        .withTrustCerts(true)
        .withRequestRetryBackoffLimit(0)
        .build();
  }

  /** A client for this server, as `--kube` builds one. */
  public KubernetesClient client() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }

  /** A kubeconfig file for a process started with `KUBECONFIG` pointing at it. */
  public Path writeKubeconfig(Path dir) throws IOException {
    Path file = dir.resolve("kubeconfig");
    String text =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
        contexts:
        - name: mock
          context:
            cluster: mock
            user: tester
            namespace: default
        current-context: mock
        users:
        - name: tester
          user:
            token: not-checked
        """
            .formatted(url());
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  /** Creates or replaces an object given as YAML (any kind; Istio kinds as generic resources). */
  public static void apply(KubernetesClient client, String yaml) {
    GenericKubernetesResource object =
        client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    client.genericKubernetesResources(context(object)).resource(object).createOr(c -> c.update());
  }

  public static void delete(KubernetesClient client, String yaml) {
    GenericKubernetesResource object =
        client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    client.genericKubernetesResources(context(object)).resource(object).delete();
  }

  /**
   * Creates the Istio objects of a multi-document YAML text as `kubectl apply -f` would (no
   * namespace means `default`; stored at the group's v1, as the API server serves every version),
   * in document order; other kinds are left out. Returns them as the server stored them.
   */
  public static List<GenericKubernetesResource> createAll(KubernetesClient client, String yaml) {
    List<GenericKubernetesResource> created = new java.util.ArrayList<>();
    for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(yaml)) {
      if (!(doc instanceof java.util.Map<?, ?> map) || !ISTIO_KINDS.contains(map.get("kind"))) {
        continue;
      }
      String json;
      try {
        json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(map);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException(e);
      }
      GenericKubernetesResource object =
          client.getKubernetesSerialization().unmarshal(json, GenericKubernetesResource.class);
      if (object.getMetadata().getNamespace() == null) {
        object.getMetadata().setNamespace("default");
      }
      String apiVersion = object.getApiVersion();
      object.setApiVersion(apiVersion.substring(0, apiVersion.indexOf('/')) + "/v1");
      created.add(client.genericKubernetesResources(context(object)).resource(object).create());
    }
    return created;
  }

  public static void deleteAll(KubernetesClient client, List<GenericKubernetesResource> objects) {
    for (GenericKubernetesResource object : objects) {
      client.genericKubernetesResources(context(object)).resource(object).delete();
    }
  }

  /**
   * The objects as one YAML file, in the order the cluster gives them to istiod and meshguard:
   * creation time, then kind, namespace and name. (Order decides which of two JWT rules of one
   * issuer is tried first and in which order policies are explained.)
   */
  public static String asFileInClusterOrder(
      KubernetesClient client, List<GenericKubernetesResource> objects) {
    List<GenericKubernetesResource> sorted = new java.util.ArrayList<>(objects);
    sorted.sort(
        java.util.Comparator.comparing(
                (GenericKubernetesResource o) ->
                    String.valueOf(o.getMetadata().getCreationTimestamp()))
            .thenComparing(o -> ObjectDocuments.name(o.getKind(), o)));
    StringBuilder out = new StringBuilder();
    for (GenericKubernetesResource o : sorted) {
      out.append("---\n")
          .append(client.getKubernetesSerialization().asYaml(o).replaceFirst("^---\n", ""));
    }
    return out.toString();
  }

  private static final java.util.Set<Object> ISTIO_KINDS =
      java.util.Set.of(
          "RequestAuthentication", "AuthorizationPolicy", "ServiceEntry", "DestinationRule");

  static ResourceDefinitionContext context(GenericKubernetesResource object) {
    String apiVersion = object.getApiVersion();
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = apiVersion.substring(slash + 1);
    String kind = object.getKind();
    String plural =
        switch (kind) {
          case "AuthorizationPolicy" -> "authorizationpolicies";
          case "ServiceEntry" -> "serviceentries";
          default -> kind.toLowerCase(java.util.Locale.ROOT) + "s";
        };
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(true)
        .build();
  }

  @Override
  public void close() {
    server.destroy();
  }
}
