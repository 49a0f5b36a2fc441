package dev.meshguard.policy;

import java.util.Map;

/** The parts of Kubernetes object metadata that matter for policy attachment. */
public record ObjectMeta(
    String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {
  public ObjectMeta {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
  }

  /** `namespace/name`, the way policies are named in decisions. */
  public String qualifiedName() {
    return namespace + "/" + name;
  }
}
