package dev.meshguard.kube;

import dev.meshguard.engine.MeshSettings;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.Finding;
import dev.meshguard.policy.PolicyLinter;
import dev.meshguard.policy.SourceDocument;
import dev.meshguard.source.ConfigSource;
import dev.meshguard.source.ObjectQuarantine;
import dev.meshguard.source.SourcedConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Istio configuration from the Kubernetes API: informers on RequestAuthentication,
 * AuthorizationPolicy, ServiceEntry, DestinationRule and the `istio` ConfigMap. Every change, after
 * a short debounce, makes one new view: the watched objects go through the file reader, validation
 * and compiler ({@link ConfigLoader#loadDocuments}), objects with errors are left out ({@link
 * ObjectQuarantine}), logged and get a Kubernetes Event, and listeners are told.
 *
 * <p>No view is made before every informer has listed its objects once: a partial view (the ALLOW
 * policies without the DENY ones) could let through what the full one denies. Afterwards an outage
 * only stops updates: the stores, and so the view, stay as they were, and the informers list again
 * when the server is back (also after `410 Gone`).
 */
public final class KubeConfigSource implements ConfigSource {
  private final KubernetesClient client;
  private final KubeSettings settings;
  private final PrintStream log;
  private final Clock clock;
  private final Map<IstioKind, String> versions = new EnumMap<>(IstioKind.class);
  private final Map<IstioKind, Watch<GenericKubernetesResource>> watches =
      new EnumMap<>(IstioKind.class);
  private final MeshConfigMap meshConfigMap;
  private Watch<ConfigMap> meshWatch;
  private Watch<Namespace> namespaceWatch;
  private final Debouncer debouncer;
  private final InvalidObjectEvents events;
  private final CountDownLatch firstView = new CountDownLatch(1);
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /** Checked objects by uid: never more than the objects watched. */
  private final Map<String, CheckedObject> checked = new HashMap<>();

  private volatile boolean listed;
  private volatile SourcedConfig current;
  private volatile Instant lastView;
  private volatile MeshConfigMap.State meshState;
  private volatile Map<String, Integer> counts = Map.of();
  private volatile List<String> skippedNames = List.of();
  private long generation;

  /** uid/resourceVersion of the skipped revisions whose errors were logged. */
  private final Set<String> loggedRevisions = new HashSet<>();

  /** One watched object with the result of checking it alone. */
  private record CheckedObject(
      String name,
      HasMetadata object,
      String resourceVersion,
      MeshSettings mesh,
      ObjectQuarantine.Checked checked) {}

  private KubeConfigSource(KubernetesClient client, KubeSettings settings, PrintStream log) {
    this.client = client;
    this.settings = settings;
    this.log = log;
    this.clock = Clock.systemUTC();
    this.meshConfigMap =
        new MeshConfigMap(settings.meshConfigNamespace(), settings.meshConfigName());
    this.debouncer =
        new Debouncer(
            settings.debounce(), settings.debounceMax(), this::rebuild, "meshguard-kube-view");
    this.events = settings.postEvents() ? new InvalidObjectEvents(client, clock, log) : null;
  }

  /**
   * Starts watching; returns at once. Use {@link #awaitFirstView} before {@link #current()}.
   *
   * @param client the client (kubeconfig or in-cluster credentials); closed with the source
   * @param log where views and skipped objects are reported
   */
  public static KubeConfigSource start(
      KubernetesClient client, KubeSettings settings, PrintStream log) {
    KubeConfigSource source = new KubeConfigSource(client, settings, log);
    source.startWatches();
    return source;
  }

  private void startWatches() {
    List<CompletableFuture<Void>> lists = new ArrayList<>();
    Runnable poke = debouncer::poke;
    if (settings.meshOverride() == null) {
      meshWatch =
          new Watch<ConfigMap>(meshConfigMap.describe(), clock)
              .add(
                  client
                      .configMaps()
                      .inNamespace(settings.meshConfigNamespace())
                      .withName(settings.meshConfigName()),
                  poke);
      lists.add(meshWatch.firstList());
    }
    NamespaceScope scope = settings.scope();
    if (scope.isSelector()) {
      namespaceWatch =
          new Watch<Namespace>("namespaces labelled " + scope.labelSelector(), clock)
              .add(client.namespaces().withLabelSelector(scope.labelSelector()), poke);
      lists.add(namespaceWatch.firstList());
    }
    for (IstioKind kind : IstioKind.values()) {
      String version = ServedVersions.pick(client, kind);
      versions.put(kind, version);
      ResourceDefinitionContext context =
          new ResourceDefinitionContext.Builder()
              .withGroup(kind.group())
              .withVersion(version)
              .withKind(kind.kind())
              .withPlural(kind.plural())
              .withNamespaced(true)
              .build();
      Watch<GenericKubernetesResource> watch =
          new Watch<>(kind.kind() + " " + kind.group() + "/" + version, clock);
      if (scope.isList()) {
        for (String namespace : listedNamespaces()) {
          watch.add(client.genericKubernetesResources(context).inNamespace(namespace), poke);
        }
      } else {
        watch.add(client.genericKubernetesResources(context).inAnyNamespace(), poke);
      }
      watches.put(kind, watch);
      lists.add(watch.firstList());
    }
    CompletableFuture.allOf(lists.toArray(CompletableFuture[]::new))
        .thenRun(
            () -> {
              listed = true;
              debouncer.poke();
            });
  }

  /** The listed namespaces and the root namespace, whose policies apply everywhere. */
  private List<String> listedNamespaces() {
    List<String> out = new ArrayList<>(settings.scope().namespaces());
    String root = configuredRootNamespace();
    if (!out.contains(root)) {
      out.add(root);
    }
    return out;
  }

  /** The root namespace known before the ConfigMap is read. */
  private String configuredRootNamespace() {
    if (settings.rootNamespace() != null) {
      return settings.rootNamespace();
    }
    if (settings.meshOverride() != null) {
      return settings.meshOverride().rootNamespace();
    }
    return MeshSettings.DEFAULT_ROOT_NAMESPACE;
  }

  @Override
  public boolean awaitFirstView(Duration timeout) throws InterruptedException {
    return firstView.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public SourcedConfig current() {
    SourcedConfig view = current;
    if (view == null) {
      throw new IllegalStateException("no view of the cluster yet");
    }
    return view;
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  public boolean synced() {
    if (!listed || current == null) {
      return false;
    }
    for (Watch<?> watch : allWatches()) {
      if (!watch.hasSynced() || !watch.isWatching()) {
        return false;
      }
    }
    return true;
  }

  /** Why the source is not synced (the informers' last error, if any); null when it is. */
  public String lastError() {
    for (Watch<?> watch : allWatches()) {
      if (!watch.isWatching() || !watch.hasSynced()) {
        return watch.label()
            + ": watch not connected"
            + (watch.lastError() == null ? "" : ": " + watch.lastError());
      }
    }
    return null;
  }

  /** How many object documents are kept for reuse: never more than the objects watched. */
  int cachedDocuments() {
    synchronized (checked) {
      return checked.size();
    }
  }

  /** How many objects the view in force leaves out because of errors. */
  public int skippedObjects() {
    return skippedNames.size();
  }

  @Override
  public Map<String, Object> health() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("source", "kubernetes");
    out.put("server", String.valueOf(client.getMasterUrl()));
    out.put("scope", settings.scope().toString());
    out.put("synced", synced());
    SourcedConfig view = current;
    out.put("generation", view == null ? 0 : view.generation());
    out.put("lastView", lastView == null ? null : lastView.toString());
    out.put("objects", counts);
    out.put("skipped", skippedNames);
    MeshConfigMap.State mesh = meshState;
    if (settings.meshOverride() != null) {
      out.put("meshConfig", "--mesh-config");
    } else if (mesh != null) {
      out.put("meshConfig", mesh.status());
      out.put("meshConfigError", mesh.error());
    }
    List<Map<String, Object>> list = new ArrayList<>();
    allWatches().forEach(w -> list.add(w.health()));
    out.put("watches", list);
    return out;
  }

  private List<Watch<?>> allWatches() {
    List<Watch<?>> all = new ArrayList<>(watches.values());
    if (meshWatch != null) {
      all.add(meshWatch);
    }
    if (namespaceWatch != null) {
      all.add(namespaceWatch);
    }
    return all;
  }

  /** Builds a new view from the stores; runs on the debouncer's thread only. */
  private void rebuild() {
    if (!listed) {
      return;
    }
    MeshSettings mesh = meshSettings();
    Predicate<String> inScope = scopeFilter(mesh.rootNamespace());
    List<CheckedObject> objects = new ArrayList<>();
    Map<String, Integer> perKind = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    synchronized (checked) {
      for (Map.Entry<IstioKind, Watch<GenericKubernetesResource>> e : watches.entrySet()) {
        IstioKind kind = e.getKey();
        int count = 0;
        for (GenericKubernetesResource object : e.getValue().objects()) {
          if (!inScope.test(object.getMetadata().getNamespace())) {
            continue;
          }
          objects.add(checked(kind, object, mesh));
          seen.add(object.getMetadata().getUid());
          count++;
        }
        perKind.put(kind.kind(), count);
      }
      checked.keySet().retainAll(seen);
    }
    // istiod orders configurations by creation time, then namespace and name
    // (sortConfigByCreationTime); that order is what files give by document order
    objects.sort(
        Comparator.comparing((CheckedObject o) -> creation(o.object()))
            .thenComparing(CheckedObject::name));
    List<ConfigSet> inForce = new ArrayList<>();
    List<Finding> skippedFindings = new ArrayList<>();
    Map<HasMetadata, String> skipped = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (CheckedObject o : objects) {
      if (o.checked().skipped()) {
        skippedFindings.addAll(o.checked().findings());
        skipped.put(o.object(), errorsOf(o.checked().findings()));
        names.add(o.name());
      } else {
        inForce.add(o.checked().object());
      }
    }
    ConfigSet config = ConfigSet.concat(inForce);
    // lint looks across objects (a token no policy requires...): once, over those in force
    config = config.withFindings(PolicyLinter.lint(config));
    SourcedConfig view = new SourcedConfig(config, mesh, skippedFindings, ++generation);
    current = view;
    lastView = clock.instant();
    counts = Map.copyOf(perKind);
    skippedNames = List.copyOf(names);
    report(view, skipped);
    firstView.countDown();
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException ex) {
        log.println("meshguard: kubernetes: applying the new configuration failed: " + ex);
      }
    }
  }

  private static String creation(HasMetadata object) {
    String time = object.getMetadata().getCreationTimestamp();
    return time == null ? "" : time;
  }

  /**
   * The object read, validated and compiled on its own; kept while its revision and the mesh
   * settings are unchanged, so a change costs the changed objects, not all of them.
   */
  private CheckedObject checked(
      IstioKind kind, GenericKubernetesResource object, MeshSettings mesh) {
    String uid = object.getMetadata().getUid();
    String version = object.getMetadata().getResourceVersion();
    CheckedObject cached = uid == null ? null : checked.get(uid);
    if (cached != null
        && version != null
        && version.equals(cached.resourceVersion())
        && mesh.equals(cached.mesh())) {
      return cached;
    }
    // list items normally carry both; Events and logs need them
    if (object.getApiVersion() == null) {
      object.setApiVersion(kind.group() + "/" + versions.get(kind));
    }
    if (object.getKind() == null) {
      object.setKind(kind.kind());
    }
    SourceDocument doc = ObjectDocuments.document(kind.kind(), object);
    ObjectQuarantine.Checked result = ObjectQuarantine.check(ConfigLoader.readDocument(doc), mesh);
    CheckedObject fresh = new CheckedObject(doc.name(), object, version, mesh, result);
    if (uid != null) {
      checked.put(uid, fresh);
    }
    return fresh;
  }

  private MeshSettings meshSettings() {
    MeshSettings mesh;
    if (settings.meshOverride() != null) {
      mesh = settings.meshOverride();
    } else {
      MeshConfigMap.State state = meshConfigMap.read(meshWatch.objects());
      MeshConfigMap.State before = meshState;
      if (state.error() != null && (before == null || !state.error().equals(before.error()))) {
        log.println("meshguard: kubernetes: " + state.error() + " (" + state.status() + ")");
      }
      meshState = state;
      mesh = state.settings();
    }
    return settings.rootNamespace() == null
        ? mesh
        : mesh.withRootNamespace(settings.rootNamespace());
  }

  private Predicate<String> scopeFilter(String rootNamespace) {
    NamespaceScope scope = settings.scope();
    if (scope.isSelector()) {
      Set<String> selected = new HashSet<>();
      namespaceWatch.objects().forEach(n -> selected.add(n.getMetadata().getName()));
      selected.add(rootNamespace);
      return selected::contains;
    }
    if (scope.isList()) {
      Set<String> listed = new HashSet<>(listedNamespaces());
      return listed::contains;
    }
    return namespace -> true;
  }

  private static String errorsOf(List<Finding> findings) {
    List<String> errors = new ArrayList<>();
    for (Finding f : findings) {
      if (f.isError()) {
        errors.add((f.field().isEmpty() ? "" : f.field() + ": ") + f.message());
      }
    }
    return "skipped by meshguard: " + String.join("; ", errors);
  }

  /**
   * One line per view; the errors of a skipped object once per revision of it (a steady stream of
   * views must not repeat them), and its Event.
   */
  private void report(SourcedConfig view, Map<HasMetadata, String> skipped) {
    StringBuilder sb =
        new StringBuilder("meshguard: kubernetes: configuration ")
            .append(view.generation())
            .append(": ")
            .append(counts)
            .append(", ")
            .append(skipped.size())
            .append(" skipped");
    Set<String> now = new HashSet<>();
    Set<String> fresh = new HashSet<>();
    for (HasMetadata object : skipped.keySet()) {
      String revision =
          object.getMetadata().getUid() + "/" + object.getMetadata().getResourceVersion();
      now.add(revision);
      if (!loggedRevisions.contains(revision)) {
        fresh.add(ObjectDocuments.name(object.getKind(), object));
      }
    }
    loggedRevisions.clear();
    loggedRevisions.addAll(now);
    for (Finding f : view.skipped()) {
      if (f.isError() && fresh.contains(f.file())) {
        sb.append("\n  ").append(f.format());
      }
    }
    log.println(sb);
    if (events != null) {
      events.report(skipped);
    }
  }

  @Override
  public void close() {
    debouncer.close();
    allWatches().forEach(Watch::close);
    if (events != null) {
      events.close();
    }
    client.close();
  }
}
