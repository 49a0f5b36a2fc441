package dev.meshguard.cli;

import dev.meshguard.engine.FrontedService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options shared by `check`, `serve` and `extauthz`: configuration paths and the workload identity.
 */
public final class WorkloadOptions {
  @Option(
      names = "--config",
      paramLabel = "PATH",
      description =
          "YAML file (multi-document) or directory of *.yaml/*.yml/*.json; repeatable"
              + " (or --kube)")
  public List<Path> configPaths = new ArrayList<>();

  @Option(
      names = "--namespace",
      description = "workload namespace (default: $POD_NAMESPACE, else `default`)")
  public String namespace;

  @Option(names = "--labels", paramLabel = "k=v,...", description = "workload labels", split = ",")
  public List<String> labels = new ArrayList<>();

  @Option(
      names = "--service",
      paramLabel = "[KIND/]NAME",
      description =
          "the Service or ServiceEntry (KIND Service or ServiceEntry; either when left out) this"
              + " instance fronts, in --namespace: policies attach as to an Istio waypoint")
  public String service;

  @Option(
      names = "--labels-file",
      paramLabel = "FILE",
      description =
          "workload labels from a Kubernetes downward API file (`key=\"value\"` lines), e.g."
              + " the pod's own labels; --labels adds to them")
  public Path labelsFile;

  /** `--namespace`, else the pod's namespace from the downward API, else `default`. */
  public String effectiveNamespace() {
    if (namespace != null) {
      return namespace;
    }
    String pod = System.getenv("POD_NAMESPACE");
    return pod == null || pod.isBlank() ? "default" : pod.trim();
  }

  @Option(names = "--mesh-config", paramLabel = "FILE", description = "Istio MeshConfig subset")
  public Path meshConfig;

  @Option(
      names = "--root-namespace",
      paramLabel = "NS",
      description = "mesh root namespace (default istio-system)")
  public String rootNamespace;

  /** The fronted service, or null; a malformed `--service` is a usage error. */
  public FrontedService frontedService() {
    return service == null ? null : FrontedService.parse(service);
  }

  /** The labels as a map; a label without `=` is a usage error. */
  public Map<String, String> labelMap() {
    Map<String, String> out = new LinkedHashMap<>();
    if (labelsFile != null) {
      out.putAll(DownwardApiLabels.read(labelsFile));
    }
    for (String label : labels) {
      if (label.isBlank()) {
        continue;
      }
      int eq = label.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "--labels: `" + label + "` is not of the form key=value");
      }
      out.put(label.substring(0, eq).trim(), label.substring(eq + 1).trim());
    }
    return out;
  }
}
