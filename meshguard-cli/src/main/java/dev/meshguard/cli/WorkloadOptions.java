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
      required = true,
      paramLabel = "PATH",
      description = "YAML file (multi-document) or directory of *.yaml/*.yml/*.json; repeatable")
  public List<Path> configPaths = new ArrayList<>();

  @Option(
      names = "--namespace",
      defaultValue = "default",
      description = "workload namespace (default: ${DEFAULT-VALUE})")
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
