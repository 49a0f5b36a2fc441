package dev.meshguard.kube;

import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.MeshSettingsLoader;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.List;

/**
 * The mesh settings from istiod's `istio` ConfigMap (`data.mesh`: `rootNamespace`, `trustDomain`,
 * `trustDomainAliases`, `extensionProviders`, `pathNormalization`). No ConfigMap means Istio's
 * defaults, as istiod assumes; a ConfigMap that cannot be read keeps the last good settings and is
 * reported, as istiod keeps its mesh config on a bad edit.
 */
final class MeshConfigMap {
  /** The settings in force and what to say about where they came from. */
  record State(MeshSettings settings, String status, String error) {}

  private final String namespace;
  private final String name;
  private MeshSettings lastGood = MeshSettings.defaults();

  MeshConfigMap(String namespace, String name) {
    this.namespace = namespace;
    this.name = name;
  }

  String describe() {
    return "configmap " + namespace + "/" + name;
  }

  /** The settings for the ConfigMaps the watch holds now (at most one: it watches one name). */
  synchronized State read(List<ConfigMap> configMaps) {
    ConfigMap map =
        configMaps.stream()
            .filter(c -> name.equals(c.getMetadata().getName()))
            .findFirst()
            .orElse(null);
    if (map == null) {
      lastGood = MeshSettings.defaults();
      return new State(lastGood, describe() + ": not found, Istio's defaults", null);
    }
    String mesh = map.getData() == null ? null : map.getData().get("mesh");
    if (mesh == null) {
      lastGood = MeshSettings.defaults();
      return new State(lastGood, describe() + ": no data.mesh, Istio's defaults", null);
    }
    try {
      lastGood = MeshSettingsLoader.parse(mesh, describe() + ": data.mesh");
      return new State(
          lastGood,
          describe() + ": resourceVersion " + map.getMetadata().getResourceVersion(),
          null);
    } catch (MeshSettingsLoader.MeshConfigException e) {
      return new State(
          lastGood, describe() + ": invalid, keeping the last good settings", e.getMessage());
    }
  }
}
