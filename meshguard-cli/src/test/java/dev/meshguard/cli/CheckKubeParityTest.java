package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshguard.conformance.Corpus;
import dev.meshguard.conformance.CorpusCase;
import dev.meshguard.conformance.CorpusRequest;
import dev.meshguard.conformance.Placeholders;
import dev.meshguard.kube.MockApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `check --kube` against the mock API server gives the same answer and trace as `check --config` on
 * the same objects: the FAQ cases of the conformance corpus, every request, `--json --explain`
 * output and exit code compared whole. The client finds the server through a kubeconfig file, as
 * the command line does.
 */
class CheckKubeParityTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static MockApiServer api;
  private static KubernetesClient admin;
  private static String previousKubeconfig;

  @BeforeAll
  static void start() throws Exception {
    api = MockApiServer.start();
    admin = api.client();
    previousKubeconfig = System.getProperty("kubeconfig");
    System.setProperty("kubeconfig", api.writeKubeconfig(dir).toString());
  }

  @AfterAll
  static void stop() {
    if (previousKubeconfig == null) {
      System.clearProperty("kubeconfig");
    } else {
      System.setProperty("kubeconfig", previousKubeconfig);
    }
    admin.close();
    api.close();
  }

  private record Run(int exit, String out, String err) {}

  private static Run check(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      List<String> all = new ArrayList<>();
      all.add("check");
      all.addAll(args);
      exit = Main.run(o, e, all.toArray(String[]::new));
    }
    return new Run(exit, out.toString(), err.toString());
  }

  /**
   * The output with the location taken off each warning: a file and document index from files, the
   * object (`k8s:Kind/namespace/name`) from the cluster. Everything else is compared as is.
   */
  private static JsonNode withoutLocations(String json) throws Exception {
    ObjectNode node = (ObjectNode) JSON.readTree(json);
    if (node.get("warnings") instanceof ArrayNode warnings) {
      ArrayNode stripped = JSON.createArrayNode();
      warnings.forEach(w -> stripped.add(w.asText().replaceFirst("^\\S+:\\d+: ", "")));
      node.set("warnings", stripped);
    }
    return node;
  }

  @Test
  void checkFromTheClusterAnswersAsCheckFromFiles() throws Exception {
    int compared = 0;
    for (CorpusCase c : Corpus.load()) {
      if (!c.file().equals("faq.yaml") || !c.configErrors().isEmpty() || !c.mesh().isDefault()) {
        continue;
      }
      List<GenericKubernetesResource> created =
          MockApiServer.createAll(admin, Placeholders.resolve(c.config()));
      Path file = Files.createTempFile(dir, "case-", ".yaml");
      Files.writeString(
          file, MockApiServer.asFileInClusterOrder(admin, created), StandardCharsets.UTF_8);
      try {
        for (CorpusRequest r : c.requests()) {
          List<String> common = new ArrayList<>();
          common.add("--namespace=" + c.namespace());
          if (!c.labels().isEmpty()) {
            List<String> labels = new ArrayList<>();
            c.labels().forEach((k, v) -> labels.add(k + "=" + v));
            common.add("--labels=" + String.join(",", labels));
          }
          common.add("--json");
          common.add("--explain");
          common.addAll(CheckArguments.of(r));
          List<String> fromFile = new ArrayList<>(common);
          fromFile.add("--config=" + file);
          List<String> fromCluster = new ArrayList<>(common);
          fromCluster.add("--kube");
          Run files = check(fromFile);
          Run cluster = check(fromCluster);
          String context = c.displayName() + " :: " + r.name() + "\nkube stderr: " + cluster.err();
          assertThat(files.exit()).as(context).isIn(0, 1);
          assertThat(cluster.exit()).as(context).isEqualTo(files.exit());
          assertThat(withoutLocations(cluster.out()))
              .as(context)
              .isEqualTo(withoutLocations(files.out()));
          compared++;
        }
      } finally {
        MockApiServer.deleteAll(admin, created);
      }
    }
    assertThat(compared).as("requests compared").isGreaterThan(10);
  }
}
