package dev.meshguard.policy;

import dev.meshguard.policy.YamlNode.MapNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads `selector`, `targetRef` and `targetRefs`, shared by both security kinds. */
final class AttachmentReader {
  private static final Set<String> SELECTOR_FIELDS = Set.of("matchLabels");
  private static final Set<String> TARGET_REF_FIELDS = Set.of("group", "kind", "name", "namespace");

  private AttachmentReader() {}

  /** What a policy attaches to; {@code singular} when it came from the hidden `targetRef`. */
  record Attachment(
      WorkloadSelector selector, List<PolicyTargetReference> targetRefs, boolean singular) {}

  static Attachment read(MapNode spec, StrictReader reader) {
    WorkloadSelector selector = selector(spec.get("selector"), "spec.selector", reader);
    PolicyTargetReference targetRef = targetRef(spec.get("targetRef"), "spec.targetRef", reader);
    List<YamlNode> items = reader.list(spec.get("targetRefs"), "spec.targetRefs");
    List<PolicyTargetReference> targetRefs = new ArrayList<>();
    if (items != null) {
      for (int i = 0; i < items.size(); i++) {
        String path = Paths.index("spec.targetRefs", i);
        if (YamlNode.isNull(items.get(i))) {
          reader.sink().error(path, "expected a map, got null");
        }
        PolicyTargetReference ref = targetRef(items.get(i), path, reader);
        targetRefs.add(ref == null ? new PolicyTargetReference(null, null, null, null) : ref);
      }
    }
    // The records fold the singular form into targetRefs, so "both set" must be caught here.
    if (targetRef != null && items != null && !items.isEmpty()) {
      reader.sink().error("spec", "only one of targetRefs or workloadSelector can be set");
    }
    if (targetRef != null && targetRefs.isEmpty()) {
      return new Attachment(selector, List.of(targetRef), true);
    }
    return new Attachment(selector, targetRefs, false);
  }

  private static WorkloadSelector selector(YamlNode node, String path, StrictReader reader) {
    MapNode map = reader.map(node, path);
    if (map == null) {
      return null;
    }
    reader.allowOnly(map, path, SELECTOR_FIELDS);
    Map<String, String> labels =
        reader.stringMap(map.get("matchLabels"), Paths.field(path, "matchLabels"));
    return new WorkloadSelector(labels == null ? Map.of() : labels);
  }

  private static PolicyTargetReference targetRef(YamlNode node, String path, StrictReader reader) {
    MapNode map = reader.map(node, path);
    if (map == null) {
      return null;
    }
    reader.allowOnly(map, path, TARGET_REF_FIELDS);
    return new PolicyTargetReference(
        reader.string(map.get("group"), Paths.field(path, "group")),
        reader.string(map.get("kind"), Paths.field(path, "kind")),
        reader.string(map.get("name"), Paths.field(path, "name")),
        reader.string(map.get("namespace"), Paths.field(path, "namespace")));
  }
}
