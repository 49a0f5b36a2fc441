package dev.meshguard.engine;

import java.util.Map;
import java.util.Objects;

/**
 * The identity of the workload whose policies are enforced: its namespace and labels, and, when
 * meshguard stands where an Istio waypoint would, the Service or ServiceEntry it fronts.
 *
 * @param service the fronted service (`--service`), or null for a sidecar or gateway
 */
public record Workload(String namespace, Map<String, String> labels, FrontedService service) {
  public Workload {
    Objects.requireNonNull(namespace, "namespace");
    labels = Map.copyOf(labels);
  }

  /** A sidecar or gateway workload (no fronted service). */
  public Workload(String namespace, Map<String, String> labels) {
    this(namespace, labels, null);
  }

  /** Whether policies attach as to a waypoint (selectors ignored, service targetRefs honoured). */
  public boolean isWaypoint() {
    return service != null;
  }
}
