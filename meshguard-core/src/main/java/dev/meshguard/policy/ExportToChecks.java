package dev.meshguard.policy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** istiod's `exportTo` rules for ServiceEntry and DestinationRule. */
final class ExportToChecks {
  private ExportToChecks() {}

  static void check(
      List<String> exportTo, String namespace, boolean serviceEntry, FindingSink sink) {
    String path = "spec.exportTo";
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < exportTo.size(); i++) {
      String entry = exportTo.get(i);
      String key = entry.equals(".") ? namespace : entry;
      String where = Paths.index(path, i);
      if (!seen.add(key)) {
        sink.error(
            where,
            key.equals(entry)
                ? "duplicate entries in exportTo for entry " + Text.quote(entry)
                : "duplicate entries in exportTo: . and current namespace "
                    + Text.quote(namespace));
      } else if (entry.equals("~")) {
        if (!serviceEntry) {
          sink.error(where, "exportTo ~ (none) is not allowed for Istio configuration objects");
        }
      } else if (!entry.equals(".") && !entry.equals("*") && !HostNames.isDns1123Label(entry)) {
        sink.error(where, "only .,*, or a valid DNS 1123 label is allowed as exportTo entry");
      }
    }
    if (exportTo.contains("*") && exportTo.size() > 1) {
      sink.error(path, "cannot have both public (*) and non-public exportTo values for a resource");
    }
    if (serviceEntry && exportTo.contains("~") && exportTo.size() > 1) {
      sink.error(path, "cannot export service entry to no one (~) and someone");
    }
  }
}
