package dev.meshguard.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The manifests under `deploy/kubernetes/` load as typed Kubernetes objects (fabric8) and say what
 * a platform team expects: probes on the admin port, requests, non-root, read-only root, seccomp,
 * RBAC read-only on exactly the watched kinds, a PDB and an HPA that select the Deployment, and the
 * one-file manifest in step with the kustomize base.
 */
class DeployManifestsTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Path DEPLOY = repo().resolve("deploy/kubernetes");

  private static Path repo() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("deploy/kubernetes"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("the repository root above " + Path.of("").toAbsolutePath()).isNotNull();
    return dir;
  }

  private static List<HasMetadata> load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      Object loaded = SERIALIZATION.unmarshal(in);
      List<HasMetadata> out = new ArrayList<>();
      if (loaded instanceof List<?> list) {
        list.forEach(o -> out.add((HasMetadata) o));
      } else {
        out.add((HasMetadata) loaded);
      }
      return out;
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> kustomizeResources(Path kustomization) throws IOException {
    Map<String, Object> k = new Yaml().load(Files.readString(kustomization));
    assertThat(k).containsEntry("kind", "Kustomization");
    return (List<String>) k.get("resources");
  }

  private static List<HasMetadata> base() throws IOException {
    List<HasMetadata> out = new ArrayList<>();
    for (String file : kustomizeResources(DEPLOY.resolve("base/kustomization.yaml"))) {
      out.addAll(load(DEPLOY.resolve("base").resolve(file)));
    }
    return out;
  }

  private static <T> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  @Test
  void theKustomizationListsEveryManifestOfTheBase() throws IOException {
    Set<String> files = new HashSet<>();
    try (Stream<Path> list = Files.list(DEPLOY.resolve("base"))) {
      list.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
          .forEach(files::add);
    }
    assertThat(kustomizeResources(DEPLOY.resolve("base/kustomization.yaml")))
        .containsExactlyInAnyOrderElementsOf(files);
  }

  @Test
  void theDeploymentIsWhatAPlatformTeamAccepts() throws IOException {
    List<HasMetadata> objects = base();
    Deployment deployment = only(objects, Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container container = pod.getContainers().get(0);
    assertThat(container.getArgs()).contains("serve", "--kube", "--admin=0.0.0.0:15000");
    assertThat(container.getPorts())
        .anyMatch(p -> p.getName().equals("admin") && p.getContainerPort() == 15000);
    for (var probe :
        List.of(
            container.getReadinessProbe(),
            container.getLivenessProbe(),
            container.getStartupProbe())) {
      assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz/ready");
      assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("admin");
    }
    assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(container.getResources().getLimits()).containsKey("memory");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    // the pod's own identity through the downward API
    assertThat(container.getEnv())
        .anyMatch(
            e ->
                e.getName().equals("POD_NAMESPACE")
                    && e.getValueFrom().getFieldRef().getFieldPath().equals("metadata.namespace"));
    assertThat(container.getArgs()).contains("--labels-file=/etc/podinfo/labels");
    assertThat(pod.getVolumes())
        .anyMatch(
            v ->
                v.getDownwardAPI() != null
                    && v.getDownwardAPI()
                        .getItems()
                        .get(0)
                        .getFieldRef()
                        .getFieldPath()
                        .equals("metadata.labels"));

    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    Service service = only(objects, Service.class);
    assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
    PodDisruptionBudget pdb = only(objects, PodDisruptionBudget.class);
    assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
    HorizontalPodAutoscaler hpa = only(objects, HorizontalPodAutoscaler.class);
    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(hpa.getSpec().getScaleTargetRef().getName())
        .isEqualTo(deployment.getMetadata().getName());
    assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);
    ServiceAccount account = only(objects, ServiceAccount.class);
    assertThat(pod.getServiceAccountName()).isEqualTo(account.getMetadata().getName());
  }

  @Test
  void rbacReadsExactlyTheWatchedKindsAndOnlyCreatesEvents() throws IOException {
    List<HasMetadata> objects = base();
    ClusterRole role = only(objects, ClusterRole.class);
    Set<String> readable = new HashSet<>();
    for (PolicyRule rule : role.getRules()) {
      assertThat(rule.getResources()).doesNotContain("*");
      assertThat(rule.getApiGroups()).doesNotContain("*");
      if (rule.getResources().equals(List.of("events"))) {
        assertThat(rule.getVerbs()).containsExactly("create");
        continue;
      }
      assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
      for (String resource : rule.getResources()) {
        readable.add(rule.getApiGroups().get(0) + "/" + resource);
      }
      if (rule.getResources().contains("configmaps")) {
        assertThat(rule.getResourceNames()).containsExactly("istio");
      }
    }
    Set<String> watched = new HashSet<>();
    for (IstioKind kind : IstioKind.values()) {
      watched.add(kind.group() + "/" + kind.plural());
    }
    watched.add("/configmaps");
    watched.add("/namespaces");
    assertThat(readable).isEqualTo(watched);

    ClusterRoleBinding binding = only(objects, ClusterRoleBinding.class);
    ServiceAccount account = only(objects, ServiceAccount.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects())
        .anyMatch(
            s ->
                s.getKind().equals("ServiceAccount")
                    && s.getName().equals(account.getMetadata().getName())
                    && s.getNamespace().equals(account.getMetadata().getNamespace()));
  }

  @Test
  void theOneFileManifestHoldsTheBase() throws IOException {
    assertThat(load(DEPLOY.resolve("meshguard.yaml"))).containsExactlyInAnyOrderElementsOf(base());
  }

  @Test
  void theIstioCrdsServeEveryVersionMeshguardWatches() throws IOException {
    List<HasMetadata> crds = load(DEPLOY.resolve("istio-crds/istio-crds.yaml"));
    assertThat(crds).hasSize(IstioKind.values().length);
    for (IstioKind kind : IstioKind.values()) {
      CustomResourceDefinition crd =
          crds.stream()
              .map(CustomResourceDefinition.class::cast)
              .filter(c -> c.getMetadata().getName().equals(kind.plural() + "." + kind.group()))
              .findFirst()
              .orElseThrow();
      assertThat(crd.getSpec().getNames().getKind()).isEqualTo(kind.kind());
      assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
      assertThat(crd.getSpec().getVersions())
          .extracting(CustomResourceDefinitionVersion::getName)
          .containsExactlyElementsOf(kind.versions());
      assertThat(crd.getSpec().getVersions())
          .filteredOn(CustomResourceDefinitionVersion::getStorage)
          .extracting(CustomResourceDefinitionVersion::getName)
          .containsExactly("v1");
    }
  }

  @Test
  void theExtAuthzOverlayPatchesTheBase() throws IOException {
    assertThat(kustomizeResources(DEPLOY.resolve("extauthz/kustomization.yaml")))
        .containsExactly("../base");
    String patch = Files.readString(DEPLOY.resolve("extauthz/extauthz-patch.yaml"));
    assertThat(patch).contains("- extauthz", "- --kube", "containerPort: 9191");
  }
}
