package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshguard.conformance.Corpus;
import dev.meshguard.conformance.CorpusCase;
import dev.meshguard.conformance.CorpusRequest;
import dev.meshguard.conformance.Expectation;
import dev.meshguard.conformance.PendingEngineFixes;
import dev.meshguard.conformance.Placeholders;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the conformance corpus of meshguard-core through `meshguard check --json --explain`,
 * in-process: the same expectations as the engine runner, plus the exit code (0 allowed, 1 denied,
 * 2 configuration error).
 */
class CheckConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  @TestFactory
  Stream<DynamicTest> corpus() {
    List<DynamicTest> tests = new ArrayList<>();
    for (CorpusCase c : Corpus.load()) {
      CaseFiles files = new CaseFiles(c);
      if (!c.configErrors().isEmpty()) {
        tests.add(
            DynamicTest.dynamicTest(
                c.displayName() + " :: config",
                () ->
                    PendingEngineFixes.run(
                        c.displayName() + " :: config", () -> assertConfigErrors(c, files))));
        continue;
      }
      for (CorpusRequest r : c.requests()) {
        tests.add(
            DynamicTest.dynamicTest(
                c.displayName() + " :: " + r.name(),
                () ->
                    PendingEngineFixes.run(
                        c.displayName() + " :: " + r.name(), () -> assertRequest(c, files, r))));
      }
    }
    return tests.stream();
  }

  /** The case's configuration (and mesh config) written once into the temp folder. */
  private static final class CaseFiles {
    private final CorpusCase c;
    private List<String> args;

    CaseFiles(CorpusCase c) {
      this.c = c;
    }

    synchronized List<String> workloadArgs() throws IOException {
      if (args == null) {
        Path caseDir = Files.createTempDirectory(dir, c.file().replace(".yaml", "") + "-");
        Path config = caseDir.resolve("config.yaml");
        Files.writeString(config, Placeholders.resolve(c.config()), StandardCharsets.UTF_8);
        List<String> a = new ArrayList<>();
        a.add("--config=" + config);
        a.addAll(c.workloadArguments());
        if (!c.mesh().isDefault()) {
          Path mesh = caseDir.resolve("mesh.yaml");
          Files.writeString(mesh, c.mesh().toMeshConfigYaml(), StandardCharsets.UTF_8);
          a.add("--mesh-config=" + mesh);
        }
        args = List.copyOf(a);
      }
      return args;
    }
  }

  private record Run(int exitCode, String out, String err) {}

  private static Run check(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      List<String> all = new ArrayList<>();
      all.add("check");
      all.addAll(args);
      code = Main.run(o, e, all.toArray(String[]::new));
    }
    return new Run(code, out.toString(), err.toString());
  }

  private static void assertConfigErrors(CorpusCase c, CaseFiles files) throws IOException {
    List<String> args = new ArrayList<>(files.workloadArgs());
    args.add("--path=/");
    Run run = check(args);
    assertThat(run.exitCode())
        .as(
            "exit code of %s :: config; stdout:\n%s\nstderr:\n%s",
            c.displayName(), run.out(), run.err())
        .isEqualTo(Main.EXIT_USAGE);
    for (String expected : c.configErrors()) {
      assertThat(run.err()).contains(expected);
    }
  }

  private static void assertRequest(CorpusCase c, CaseFiles files, CorpusRequest r)
      throws IOException {
    List<String> args = new ArrayList<>(files.workloadArgs());
    args.add("--json");
    args.add("--explain");
    args.addAll(CheckArguments.of(r));
    Run run = check(args);
    String context =
        c.displayName() + " :: " + r.name() + "\nstdout: " + run.out() + "\nstderr: " + run.err();
    int expectedExit = r.expect().status() == 200 ? 0 : 1;
    assertThat(run.exitCode()).as("exit code of %s", context).isEqualTo(expectedExit);
    JsonNode json = JSON.readTree(run.out());
    for (String expected : c.configWarnings()) {
      assertThat(texts(json.path("warnings"))).as("warnings").anyMatch(w -> w.contains(expected));
    }
    List<String> mismatches = r.expect().resolved().mismatches(observed(json));
    assertThat(mismatches).as(context).isEmpty();
  }

  private static Expectation.Observed observed(JsonNode json) {
    JsonNode upstream = json.get("upstream");
    return new Expectation.Observed(
        json.path("status").asInt(),
        textOrNull(json.get("reason")),
        textOrNull(json.get("policy")),
        textOrNull(json.get("principal")),
        textOrNull(json.get("body")),
        map(json.get("responseHeaders")),
        upstream == null ? null : textOrNull(upstream.get("path")),
        upstream == null ? List.of() : texts(upstream.path("removeHeaders")),
        upstream == null ? Map.of() : map(upstream.get("addHeaders")),
        texts(json.path("trace")),
        shadow(json));
  }

  /** The dry-run verdict under Envoy's key names, or null when `check` reports none. */
  static Expectation.Shadow shadow(JsonNode json) {
    String result = textOrNull(json.get("shadow_engine_result"));
    return result == null
        ? null
        : new Expectation.Shadow(result, textOrNull(json.get("shadow_effective_policy_id")));
  }

  static String textOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Map<String, String> map(JsonNode object) {
    Map<String, String> out = new LinkedHashMap<>();
    if (object != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), e.getValue().asText());
      }
    }
    return out;
  }
}
