package dev.meshguard.engine;

import dev.meshguard.policy.Finding;
import java.util.List;
import java.util.Map;

/**
 * Everything enforced for one workload, compiled once from a configuration: immutable, read by the
 * hot path without locks; a reload builds a new one and swaps it in.
 */
public final class PolicySnapshot {
  private final Workload workload;
  private final MeshSettings mesh;
  private final List<Finding> findings;

  PolicySnapshot(Workload workload, MeshSettings mesh, List<Finding> findings) {
    this.workload = workload;
    this.mesh = mesh;
    this.findings = List.copyOf(findings);
  }

  public Workload workload() {
    return workload;
  }

  public MeshSettings mesh() {
    return mesh;
  }

  /** Findings of reading and compiling the configuration (errors and warnings). */
  public List<Finding> findings() {
    return findings;
  }

  public boolean hasErrors() {
    return findings.stream().anyMatch(Finding::isError);
  }

  /** A JSON-friendly description of the policies in force, for `/config_dump`. */
  public Map<String, Object> dump() {
    return Map.of(
        "workload", Map.of("namespace", workload.namespace(), "labels", workload.labels()));
  }
}
