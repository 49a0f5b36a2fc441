package dev.meshguard.engine;

import java.util.Map;
import java.util.Objects;

/** The identity of the workload whose policies are enforced: its namespace and labels. */
public record Workload(String namespace, Map<String, String> labels) {
  public Workload {
    Objects.requireNonNull(namespace, "namespace");
    labels = Map.copyOf(labels);
  }
}
