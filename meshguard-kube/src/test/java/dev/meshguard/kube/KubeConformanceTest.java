package dev.meshguard.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshguard.conformance.Corpus;
import dev.meshguard.conformance.CorpusCase;
import dev.meshguard.conformance.CorpusRequest;
import dev.meshguard.conformance.Placeholders;
import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.ForwardedFor;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.MeshSettingsLoader;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.Finding;
import dev.meshguard.source.SourcedConfig;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The conformance corpus loaded through the mock API server gives the same answers as from files:
 * each case's objects are created in the cluster (its MeshConfig as the `istio` ConfigMap), and
 * every request is decided with the source's view and with the files' snapshot; the decisions,
 * traces included, must be equal. (Files compared are the case's objects in the cluster's order:
 * see {@link #inClusterOrder}.) Cases whose files have errors must see those objects skipped with
 * the same messages.
 *
 * <p>Cases that cannot exist in a cluster are counted, not run: YAML the API server would refuse to
 * parse and objects without a name.
 */
class KubeConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> WATCHED =
      Set.of("RequestAuthentication", "AuthorizationPolicy", "ServiceEntry", "DestinationRule");

  private static MockApiServer api;
  private static KubernetesClient admin;
  private static KubeConfigSource source;
  private static RemoteJwksSources remoteKeys;
  private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

  @BeforeAll
  static void start() throws InterruptedException {
    api = MockApiServer.start();
    admin = api.client();
    remoteKeys = new RemoteJwksSources(RemoteJwksOptions.defaults());
    KubeSettings settings =
        new KubeSettings(
            NamespaceScope.all(),
            "istio-system",
            "istio",
            null,
            null,
            Duration.ofMillis(10),
            Duration.ofMillis(200),
            false);
    source =
        KubeConfigSource.start(
            api.client(), settings, new PrintStream(LOG, true, StandardCharsets.UTF_8));
    assertThat(source.awaitFirstView(KubeConfigSourceTest.HANG_GUARD)).isTrue();
  }

  @AfterAll
  static void stop() {
    source.close();
    remoteKeys.close();
    admin.close();
    api.close();
  }

  @Test
  void theCorpusThroughTheApiGivesTheAnswersOfFiles() throws Exception {
    List<String> notApplicable = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    int requests = 0;
    List<GenericKubernetesResource> previous = List.of();
    for (CorpusCase c : Corpus.load()) {
      String config = Placeholders.resolve(c.config());
      List<Map<String, Object>> objects = objects(config);
      if (objects == null) {
        notApplicable.add(c.displayName());
        continue;
      }
      MeshSettings mesh =
          c.mesh().isDefault()
              ? MeshSettings.defaults()
              : MeshSettingsLoader.parse(c.mesh().toMeshConfigYaml(), "mesh");
      for (GenericKubernetesResource old : previous) {
        admin.genericKubernetesResources(MockApiServer.context(old)).resource(old).delete();
      }
      // an empty view first: objects of the same names in consecutive cases are then new ones
      awaitView(List.of(), null);
      setMeshConfig(c);
      List<GenericKubernetesResource> created = new ArrayList<>();
      for (Map<String, Object> object : objects) {
        GenericKubernetesResource resource = resource(object);
        created.add(
            admin
                .genericKubernetesResources(MockApiServer.context(resource))
                .resource(resource)
                .create());
      }
      previous = created;
      SourcedConfig view = awaitView(created, mesh);

      Workload workload = new Workload(c.namespace(), c.labels());
      PolicySnapshot fromFiles =
          SnapshotCompiler.compile(
              ConfigLoader.loadString(config, c.file()), mesh, workload, remoteKeys::remote);
      if (!fromFiles.hasErrors()) {
        ConfigSet same = ConfigLoader.loadString(inClusterOrder(objects, created), c.file());
        fromFiles = SnapshotCompiler.compile(same, mesh, workload, remoteKeys::remote);
      }
      if (fromFiles.hasErrors()) {
        List<String> skipped =
            view.skipped().stream().filter(Finding::isError).map(Finding::message).toList();
        for (Finding f : fromFiles.findings()) {
          if (f.isError() && !skipped.contains(f.message()) && objectError(f)) {
            failures.add(c.displayName() + ": not skipped with `" + f.format() + "`");
          }
        }
        continue;
      }
      assertThat(view.skipped()).as(c.displayName()).filteredOn(Finding::isError).isEmpty();
      PolicySnapshot fromApi =
          SnapshotCompiler.compile(view.config(), view.mesh(), workload, remoteKeys::remote);
      for (CorpusRequest r : c.requests()) {
        requests++;
        Decision expected = decide(fromFiles, r);
        Decision actual = decide(fromApi, r);
        if (!expected.equals(actual)) {
          failures.add(
              c.displayName()
                  + " :: "
                  + r.name()
                  + "\n  files: "
                  + expected
                  + "\n  api:   "
                  + actual);
        }
      }
    }
    assertThat(failures).as("log:\n%s", LOG.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(requests).as("requests compared").isGreaterThan(500);
    assertThat(notApplicable).as("cases that cannot be objects in a cluster").hasSizeLessThan(15);
  }

  /** An error about one object (not about the file as a whole, such as its YAML syntax). */
  private static boolean objectError(Finding f) {
    return !f.message().startsWith("invalid yaml");
  }

  private static void setMeshConfig(CorpusCase c) {
    var configMaps = admin.configMaps().inNamespace("istio-system");
    if (c.mesh().isDefault()) {
      configMaps.withName("istio").delete();
    } else {
      configMaps
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("istio")
                  .withNamespace("istio-system")
                  .endMetadata()
                  .withData(Map.of("mesh", c.mesh().toMeshConfigYaml()))
                  .build())
          .createOr(e -> e.update());
    }
  }

  /** Waits until the view holds exactly {@code objects}, with {@code mesh} unless null. */
  private static SourcedConfig awaitView(List<GenericKubernetesResource> objects, MeshSettings mesh)
      throws InterruptedException {
    Set<String> expected = new TreeSet<>();
    for (GenericKubernetesResource o : objects) {
      expected.add(ObjectDocuments.name(o.getKind(), o));
    }
    long deadline = System.nanoTime() + KubeConfigSourceTest.HANG_GUARD.toNanos();
    while (true) {
      SourcedConfig view = source.current();
      if (names(view).equals(expected) && (mesh == null || view.mesh().equals(mesh))) {
        return view;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "view " + names(view) + " " + view.mesh() + " never became " + expected);
      }
      Thread.sleep(5);
    }
  }

  private static Set<String> names(SourcedConfig view) {
    Set<String> out = new TreeSet<>();
    view.config().requestAuthentications().forEach(o -> out.add(o.origin().file()));
    view.config().authorizationPolicies().forEach(o -> out.add(o.origin().file()));
    view.config().serviceEntries().forEach(o -> out.add(o.origin().file()));
    view.config().destinationRules().forEach(o -> out.add(o.origin().file()));
    view.skipped().forEach(f -> out.add(f.file()));
    return out;
  }

  /**
   * The case's objects of the watched kinds, as `kubectl apply` would create them (no namespace
   * means `default`; the API server serves every version of a kind, so they are stored at the
   * watched v1), or null when they cannot be objects in a cluster.
   */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> objects(String yaml) {
    List<Map<String, Object>> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    try {
      for (Object doc : new Yaml().loadAll(yaml)) {
        if (doc == null) {
          continue;
        }
        if (!(doc instanceof Map<?, ?> map)) {
          return null;
        }
        Map<String, Object> object = (Map<String, Object>) map;
        Object kind = object.get("kind");
        if (!(kind instanceof String k) || !WATCHED.contains(k)) {
          continue;
        }
        if (!(object.get("metadata") instanceof Map<?, ?> metadata)
            || !(metadata.get("name") instanceof String name)
            || name.isEmpty()
            || !(object.get("apiVersion") instanceof String apiVersion)
            || !apiVersion.contains("/")) {
          return null;
        }
        Map<String, Object> meta = (Map<String, Object>) metadata;
        meta.putIfAbsent("namespace", "default");
        if (!names.add(k + "/" + meta.get("namespace") + "/" + name)) {
          return null; // the same object twice: a later kubectl apply replaces it
        }
        out.add(object);
      }
    } catch (RuntimeException e) {
      return null;
    }
    return out;
  }

  /** The object as the API server stores it: at the watched version v1 of its group. */
  private static GenericKubernetesResource resource(Map<String, Object> object)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    GenericKubernetesResource resource =
        admin
            .getKubernetesSerialization()
            .unmarshal(JSON.writeValueAsString(object), GenericKubernetesResource.class);
    String apiVersion = resource.getApiVersion();
    resource.setApiVersion(apiVersion.substring(0, apiVersion.indexOf('/')) + "/v1");
    return resource;
  }

  /**
   * The file holding the same objects in the order the cluster gives them: creation time, then
   * kind, namespace and name (as istiod orders configurations). Order decides which of two JWT
   * rules of one issuer is tried first, and in which order policies are explained.
   */
  private static String inClusterOrder(
      List<Map<String, Object>> objects, List<GenericKubernetesResource> created) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < objects.size(); i++) {
      order.add(i);
    }
    order.sort(
        java.util.Comparator.comparing(
                (Integer i) -> String.valueOf(created.get(i).getMetadata().getCreationTimestamp()))
            .thenComparing(i -> ObjectDocuments.name(created.get(i).getKind(), created.get(i))));
    List<Object> documents = new ArrayList<>();
    order.forEach(i -> documents.add(objects.get(i)));
    return new Yaml().dumpAll(documents.iterator());
  }

  private static Decision decide(PolicySnapshot snapshot, CorpusRequest r) {
    RequestHeaders headers = RequestHeaders.of(r.resolvedHeaderEntries());
    CheckRequest request =
        new CheckRequest(
            r.method(),
            r.scheme(),
            r.host(),
            Placeholders.resolve(r.path()),
            headers,
            r.sourceIp(),
            ForwardedFor.clientAddress(
                r.sourceIp(), headers.all("x-forwarded-for"), r.numTrustedProxies()),
            r.sourcePrincipal(),
            r.destinationIp(),
            r.port(),
            r.sni());
    Clock clock = Clock.fixed(Instant.ofEpochSecond(r.nowEpochSeconds()), ZoneOffset.UTC);
    return Engine.decide(snapshot, request, clock);
  }
}
