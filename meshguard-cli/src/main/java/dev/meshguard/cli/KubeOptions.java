package dev.meshguard.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * `--kube` and its options: Istio configuration from the Kubernetes API instead of `--config`
 * files. Plain fields only: nothing here loads the Kubernetes client, so commands without `--kube`
 * start as fast as before (see {@link KubeSources}).
 */
public final class KubeOptions {
  @Option(
      names = "--kube",
      description =
          "read RequestAuthentication, AuthorizationPolicy, ServiceEntry, DestinationRule and the"
              + " `istio` ConfigMap from the Kubernetes API (KUBECONFIG, ~/.kube/config or the"
              + " pod's service account) instead of --config")
  public boolean enabled;

  @Option(
      names = "--kube-namespaces",
      split = ",",
      paramLabel = "NS",
      description = "watch only these namespaces (and the root namespace); default all")
  public List<String> namespaces = new ArrayList<>();

  @Option(
      names = "--kube-namespace-selector",
      paramLabel = "SELECTOR",
      description =
          "watch only namespaces whose labels match this selector (`env=prod`), as istiod's"
              + " discoverySelectors; the root namespace is always watched")
  public String namespaceSelector;

  @Option(
      names = "--kube-mesh-config",
      defaultValue = "istio-system/istio",
      paramLabel = "NS/NAME",
      description =
          "the ConfigMap whose data.mesh holds the MeshConfig (default: ${DEFAULT-VALUE});"
              + " --mesh-config FILE replaces it")
  public String meshConfigMap;

  @Option(
      names = "--kube-sync-timeout",
      defaultValue = "60s",
      paramLabel = "DURATION",
      description =
          "how long to wait for the first complete list of every kind (default: ${DEFAULT-VALUE})")
  public String syncTimeout;

  /** Whether `--config` and `--kube` were used right: exactly one of them. */
  void checkExclusive(WorkloadOptions workload) {
    checkExclusive(!workload.configPaths.isEmpty(), "--config PATH");
  }

  /** Whether files ({@code what}) and `--kube` were used right: exactly one of them. */
  void checkExclusive(boolean files, String what) {
    if (enabled && files) {
      throw new IllegalArgumentException(what + " and --kube do not go together");
    }
    if (!enabled && !files) {
      throw new IllegalArgumentException("missing " + what + " (or --kube)");
    }
    if (!enabled
        && (!namespaces.isEmpty()
            || namespaceSelector != null
            || !"istio-system/istio".equals(meshConfigMap))) {
      throw new IllegalArgumentException("--kube-* options need --kube");
    }
  }
}
