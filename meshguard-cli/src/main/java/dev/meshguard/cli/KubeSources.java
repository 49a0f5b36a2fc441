package dev.meshguard.cli;

import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.MeshSettingsLoader;
import dev.meshguard.kube.KubeConfigSource;
import dev.meshguard.kube.KubeSettings;
import dev.meshguard.kube.NamespaceScope;
import dev.meshguard.source.ConfigSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * Opens the Kubernetes configuration source for a command. The only class of the command line that
 * names the Kubernetes client: it is loaded when `--kube` is given, never otherwise.
 */
final class KubeSources {
  private KubeSources() {}

  /**
   * Starts watching and waits for the first complete view.
   *
   * @param postEvents whether skipped objects get an Event (long-running commands only)
   * @param log where the source reports views and skipped objects
   */
  static ConfigSource open(
      KubeOptions kube,
      WorkloadOptions workload,
      boolean postEvents,
      PrintStream log,
      PrintWriter err)
      throws KubeUnavailable, MeshSettingsLoader.MeshConfigException, InterruptedException {
    Duration timeout = Durations.parse("--kube-sync-timeout", kube.syncTimeout);
    String[] configMap = kube.meshConfigMap.split("/", -1);
    if (configMap.length != 2 || configMap[0].isBlank() || configMap[1].isBlank()) {
      throw new IllegalArgumentException(
          "--kube-mesh-config: `" + kube.meshConfigMap + "` is not of the form NAMESPACE/NAME");
    }
    MeshSettings override =
        workload.meshConfig == null ? null : MeshSettingsLoader.load(workload.meshConfig);
    KubeSettings settings =
        KubeSettings.defaults()
            .withScope(new NamespaceScope(kube.namespaces, kube.namespaceSelector))
            .withMeshConfigMap(configMap[0], configMap[1])
            .withMesh(override, workload.rootNamespace)
            .withPostEvents(postEvents);
    KubernetesClient client;
    try {
      client = new KubernetesClientBuilder().build();
    } catch (KubernetesClientException e) {
      throw new KubeUnavailable("kubernetes: no usable client configuration: " + e.getMessage());
    }
    err.println(
        "meshguard: kubernetes: watching " + client.getMasterUrl() + " (" + settings.scope() + ")");
    err.flush();
    String server = String.valueOf(client.getMasterUrl());
    KubeConfigSource source = KubeConfigSource.start(client, settings, log);
    if (!source.awaitFirstView(timeout)) {
      String why = source.lastError();
      source.close();
      throw new KubeUnavailable(
          "kubernetes: no complete list of the Istio kinds from "
              + server
              + " within "
              + kube.syncTimeout
              + (why == null ? "" : ": " + why));
    }
    return source;
  }
}
