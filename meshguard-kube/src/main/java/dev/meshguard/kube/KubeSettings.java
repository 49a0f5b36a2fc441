package dev.meshguard.kube;

import dev.meshguard.engine.MeshSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * How to watch the cluster.
 *
 * @param scope which namespaces' objects count
 * @param meshConfigNamespace where the `istio` ConfigMap lives (istiod's namespace)
 * @param meshConfigName the ConfigMap holding the MeshConfig in `data.mesh` (`istio`)
 * @param meshOverride mesh settings from `--mesh-config`, used instead of the ConfigMap; or null
 * @param rootNamespace `--root-namespace`, or null to take the mesh settings'
 * @param debounce how long changes must be quiet before a new view (istiod: 100 ms)
 * @param debounceMax the longest a stream of changes delays a new view
 * @param postEvents whether to post a Kubernetes Event on every object that is skipped
 */
public record KubeSettings(
    NamespaceScope scope,
    String meshConfigNamespace,
    String meshConfigName,
    MeshSettings meshOverride,
    String rootNamespace,
    Duration debounce,
    Duration debounceMax,
    boolean postEvents) {
  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);
  public static final Duration DEFAULT_DEBOUNCE_MAX = Duration.ofSeconds(1);

  public KubeSettings {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(meshConfigNamespace, "meshConfigNamespace");
    Objects.requireNonNull(meshConfigName, "meshConfigName");
    Objects.requireNonNull(debounce, "debounce");
    Objects.requireNonNull(debounceMax, "debounceMax");
  }

  /** Everything watched, MeshConfig from `istio-system/istio`, events posted. */
  public static KubeSettings defaults() {
    return new KubeSettings(
        NamespaceScope.all(),
        MeshSettings.DEFAULT_ROOT_NAMESPACE,
        "istio",
        null,
        null,
        DEFAULT_DEBOUNCE,
        DEFAULT_DEBOUNCE_MAX,
        true);
  }

  public KubeSettings withScope(NamespaceScope newScope) {
    return new KubeSettings(
        newScope,
        meshConfigNamespace,
        meshConfigName,
        meshOverride,
        rootNamespace,
        debounce,
        debounceMax,
        postEvents);
  }

  public KubeSettings withMesh(MeshSettings override, String root) {
    return new KubeSettings(
        scope,
        meshConfigNamespace,
        meshConfigName,
        override,
        root,
        debounce,
        debounceMax,
        postEvents);
  }

  public KubeSettings withMeshConfigMap(String namespace, String name) {
    return new KubeSettings(
        scope, namespace, name, meshOverride, rootNamespace, debounce, debounceMax, postEvents);
  }

  public KubeSettings withPostEvents(boolean post) {
    return new KubeSettings(
        scope,
        meshConfigNamespace,
        meshConfigName,
        meshOverride,
        rootNamespace,
        debounce,
        debounceMax,
        post);
  }
}
