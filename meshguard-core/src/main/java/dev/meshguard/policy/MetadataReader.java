package dev.meshguard.policy;

import dev.meshguard.policy.YamlNode.MapNode;
import dev.meshguard.policy.YamlNode.Scalar;
import java.util.Map;
import java.util.Set;

/** Reads `metadata` (and checks the top-level fields) of a Kubernetes object. */
final class MetadataReader {
  /** kubectl applies objects without a namespace to `default` (unless `-n` says otherwise). */
  static final String DEFAULT_NAMESPACE = "default";

  static final Set<String> TOP_LEVEL_FIELDS =
      Set.of("apiVersion", "kind", "metadata", "spec", "status");

  /**
   * ObjectMeta fields; only the first four matter, the others are what `kubectl get -o yaml` adds.
   */
  private static final Set<String> METADATA_FIELDS =
      Set.of(
          "name",
          "namespace",
          "labels",
          "annotations",
          "generateName",
          "uid",
          "resourceVersion",
          "generation",
          "creationTimestamp",
          "deletionTimestamp",
          "deletionGracePeriodSeconds",
          "ownerReferences",
          "finalizers",
          "managedFields",
          "selfLink");

  private MetadataReader() {}

  static ObjectMeta read(MapNode root, StrictReader reader) {
    FindingSink sink = reader.sink();
    reader.allowOnly(root, "", TOP_LEVEL_FIELDS);
    MapNode metadata = reader.map(root.get("metadata"), "metadata");
    reader.allowOnly(metadata, "metadata", METADATA_FIELDS);
    String name = metadata == null ? null : reader.string(metadata.get("name"), "metadata.name");
    if (Text.isNullOrEmpty(name)) {
      sink.error("metadata.name", "required: every object needs a name");
      name = "";
    }
    String namespace =
        metadata == null ? null : reader.string(metadata.get("namespace"), "metadata.namespace");
    if (Text.isNullOrEmpty(namespace)) {
      sink.warning(
          "metadata.namespace",
          "not set: using " + Text.quote(DEFAULT_NAMESPACE) + ", as `kubectl apply` without `-n`");
      namespace = DEFAULT_NAMESPACE;
    }
    Map<String, String> labels =
        metadata == null ? null : reader.stringMap(metadata.get("labels"), "metadata.labels");
    Map<String, String> annotations =
        metadata == null
            ? null
            : reader.stringMap(metadata.get("annotations"), "metadata.annotations");
    return new ObjectMeta(
        name,
        namespace,
        labels == null ? Map.of() : labels,
        annotations == null ? Map.of() : annotations);
  }

  /** `namespace/name` for notices about objects we skip; never reports anything. */
  static String describeName(MapNode root) {
    String name = null;
    String namespace = null;
    if (root.get("metadata") instanceof MapNode metadata) {
      name = scalarText(metadata.get("name"));
      namespace = scalarText(metadata.get("namespace"));
    }
    return (Text.isNullOrEmpty(namespace) ? DEFAULT_NAMESPACE : Text.clip(namespace))
        + "/"
        + (Text.isNullOrEmpty(name) ? "<unnamed>" : Text.clip(name));
  }

  static String scalarText(YamlNode node) {
    return node instanceof Scalar scalar && !scalar.isNull() ? scalar.text() : null;
  }
}
