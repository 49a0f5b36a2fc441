package dev.meshguard.engine;

import java.util.List;
import java.util.Map;

/**
 * The subset of Istio's MeshConfig that meshguard reads.
 *
 * @param extensionProviders `extensionProviders` entries by name (for CUSTOM policies)
 */
public record MeshSettings(
    String rootNamespace,
    PathNormalization pathNormalization,
    String trustDomain,
    List<String> trustDomainAliases,
    Map<String, ExtensionProvider> extensionProviders) {

  public static final String DEFAULT_ROOT_NAMESPACE = "istio-system";

  public MeshSettings {
    trustDomainAliases = List.copyOf(trustDomainAliases);
    extensionProviders = Map.copyOf(extensionProviders);
  }

  public static MeshSettings defaults() {
    return new MeshSettings(
        DEFAULT_ROOT_NAMESPACE, PathNormalization.BASE, "cluster.local", List.of(), Map.of());
  }

  public MeshSettings withRootNamespace(String namespace) {
    return new MeshSettings(
        namespace, pathNormalization, trustDomain, trustDomainAliases, extensionProviders);
  }
}
