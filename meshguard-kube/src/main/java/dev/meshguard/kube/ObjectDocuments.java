package dev.meshguard.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshguard.policy.SourceDocument;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a watched object into the document the file reader takes: `apiVersion`, `kind`, the
 * metadata that matters (name, namespace, labels, annotations) and `spec`, as JSON. Everything else
 * the API server adds (status, managed fields, the last applied configuration) is left out: the
 * reader has no use for it and it would cost memory and time on every change.
 */
final class ObjectDocuments {
  /** What `kubectl apply` keeps in an annotation: a second copy of the whole object. */
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ObjectDocuments() {}

  /** How findings name an object: `k8s:AuthorizationPolicy/foo/deny-all`. */
  static String name(String kind, HasMetadata object) {
    return "k8s:"
        + kind
        + "/"
        + object.getMetadata().getNamespace()
        + "/"
        + object.getMetadata().getName();
  }

  static SourceDocument document(String kind, GenericKubernetesResource object) {
    ObjectMeta meta = object.getMetadata();
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", meta.getName());
    metadata.put("namespace", meta.getNamespace());
    if (meta.getLabels() != null && !meta.getLabels().isEmpty()) {
      metadata.put("labels", meta.getLabels());
    }
    if (meta.getAnnotations() != null) {
      Map<String, String> annotations = new LinkedHashMap<>(meta.getAnnotations());
      annotations.remove(LAST_APPLIED);
      if (!annotations.isEmpty()) {
        metadata.put("annotations", annotations);
      }
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("apiVersion", object.getApiVersion());
    root.put("kind", object.getKind() == null ? kind : object.getKind());
    root.put("metadata", metadata);
    Object spec = object.getAdditionalProperties().get("spec");
    if (spec != null) {
      root.put("spec", spec);
    }
    try {
      return new SourceDocument(name(kind, object), JSON.writeValueAsString(root));
    } catch (JsonProcessingException e) {
      // plain maps, lists and scalars from the API server's JSON always serialize
      throw new IllegalStateException(e);
    }
  }
}
