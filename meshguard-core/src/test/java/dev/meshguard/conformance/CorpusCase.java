package dev.meshguard.conformance;

import dev.meshguard.engine.FrontedService;
import dev.meshguard.engine.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One conformance case: a configuration, the workload it is enforced for, and requests with the
 * outcome Istio gives them.
 *
 * @param file the corpus file name (`selection.yaml`)
 * @param name the case name, unique in its file
 * @param spec the istio-semantics.md statements the case pins (`2A.7`, `8.6`)
 * @param namespace the workload namespace
 * @param labels the workload labels
 * @param service the Service or ServiceEntry the workload fronts as a waypoint (`--service`), or
 *     null
 * @param mesh MeshConfig settings, or defaults
 * @param config the Istio YAML (multi-document) with placeholders unresolved
 * @param configErrors substrings each of which must appear in some error finding; when set, the
 *     case has no requests
 * @param configWarnings substrings each of which must appear in some warning finding
 * @param requests the requests to decide
 */
public record CorpusCase(
    String file,
    String name,
    List<String> spec,
    String namespace,
    Map<String, String> labels,
    String service,
    Mesh mesh,
    String config,
    List<String> configErrors,
    List<String> configWarnings,
    List<CorpusRequest> requests) {

  public CorpusCase {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(name, "name");
    spec = List.copyOf(spec);
    Objects.requireNonNull(namespace, "namespace");
    labels = Map.copyOf(labels);
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(config, "config");
    configErrors = List.copyOf(configErrors);
    configWarnings = List.copyOf(configWarnings);
    requests = List.copyOf(requests);
  }

  /** The workload the engine decides for. */
  public Workload workload() {
    return new Workload(namespace, labels, service == null ? null : FrontedService.parse(service));
  }

  /** The same workload as `check`, `serve` and `extauthz` options. */
  public List<String> workloadArguments() {
    List<String> args = new ArrayList<>();
    args.add("--namespace=" + namespace);
    if (!labels.isEmpty()) {
      List<String> pairs = new ArrayList<>();
      labels.forEach((k, v) -> pairs.add(k + "=" + v));
      args.add("--labels=" + String.join(",", pairs));
    }
    if (service != null) {
      args.add("--service=" + service);
    }
    return args;
  }

  /** `file :: case`, the prefix of every test name of this case. */
  public String displayName() {
    return file + " :: " + name;
  }

  /**
   * The MeshConfig subset a case may set; null fields keep Istio's defaults.
   *
   * @param rootNamespace `rootNamespace` (default `istio-system`)
   * @param pathNormalization `pathNormalization.normalization` (default BASE)
   * @param extensionProviders names of `extensionProviders` entries (for CUSTOM)
   */
  public record Mesh(
      String rootNamespace, String pathNormalization, List<String> extensionProviders) {
    public static final Mesh DEFAULTS = new Mesh(null, null, List.of());

    public Mesh {
      extensionProviders = List.copyOf(extensionProviders);
    }

    public boolean isDefault() {
      return rootNamespace == null && pathNormalization == null && extensionProviders.isEmpty();
    }

    /** The MeshConfig YAML that `check --mesh-config` reads for these settings. */
    public String toMeshConfigYaml() {
      StringBuilder out = new StringBuilder();
      if (rootNamespace != null) {
        out.append("rootNamespace: ").append(rootNamespace).append('\n');
      }
      if (pathNormalization != null) {
        out.append("pathNormalization:\n  normalization: ").append(pathNormalization).append('\n');
      }
      if (!extensionProviders.isEmpty()) {
        out.append("extensionProviders:\n");
        for (String provider : extensionProviders) {
          out.append("- name: ").append(provider).append('\n');
          out.append("  envoyExtAuthzHttp:\n");
          out.append("    service: ext-authz.foo.svc.cluster.local\n");
          out.append("    port: 8000\n");
        }
      }
      return out.toString();
    }
  }
}
