package dev.meshguard.kube;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Which version of a kind to watch: the newest one the API server lists in its discovery documents
 * (`/apis/security.istio.io/v1`), as istiod picks the version it knows. When discovery answers
 * nothing for any version (the CRD is not installed yet, or discovery is not allowed) the newest is
 * watched: an informer on a missing resource keeps retrying and picks the objects up once the CRD
 * arrives.
 */
final class ServedVersions {
  private ServedVersions() {}

  static String pick(KubernetesClient client, IstioKind kind) {
    for (String version : kind.versions()) {
      if (serves(client, kind, version)) {
        return version;
      }
    }
    return kind.versions().get(0);
  }

  private static boolean serves(KubernetesClient client, IstioKind kind, String version) {
    APIResourceList list;
    try {
      list = client.getApiResources(kind.group() + "/" + version);
    } catch (KubernetesClientException e) {
      return false;
    }
    if (list == null || list.getResources() == null) {
      return false;
    }
    for (APIResource resource : list.getResources()) {
      if (kind.plural().equals(resource.getName())) {
        return true;
      }
    }
    return false;
  }
}
