package dev.meshguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the corpus under `src/test/resources/policy/cases/`: YAML snippets and the findings they
 * must produce (severity, field path, a substring of the message, optionally the document index).
 *
 * <p>A case gives its input as {@code yaml} (whole documents) or as {@code ap}, {@code ra}, {@code
 * se} or {@code dr} (only the `spec`, wrapped in a header naming `ns/p`). Every finding must be
 * expected, except {@link PolicyLinter}'s, which are checked only in cases with {@code lint: true}.
 * {@code notices} and {@code counts} are checked when given.
 */
class FindingCorpusTest {
  static final List<String> FILES =
      List.of(
          "loading.yaml",
          "authorization-policy.yaml",
          "request-authentication.yaml",
          "networking.yaml",
          "lint.yaml");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, String> HEADERS =
      Map.of(
          "ap", "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\n",
          "ra", "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\n",
          "se", "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\n",
          "dr", "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n");

  @TestFactory
  Stream<DynamicTest> corpus() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (String file : FILES) {
      for (JsonNode c : read(file)) {
        tests.add(DynamicTest.dynamicTest(file + ": " + c.path("name").asText(), () -> run(c)));
      }
    }
    assertThat(tests).hasSizeGreaterThan(120);
    return tests.stream();
  }

  static JsonNode read(String file) throws IOException {
    try (InputStream in = FindingCorpusTest.class.getResourceAsStream("/policy/cases/" + file)) {
      assertThat(in).as(file).isNotNull();
      return YAML.readTree(in);
    }
  }

  static String input(JsonNode c) {
    if (c.has("yaml")) {
      return c.get("yaml").asText();
    }
    for (Map.Entry<String, String> header : HEADERS.entrySet()) {
      if (c.has(header.getKey())) {
        String spec = c.get(header.getKey()).asText().stripTrailing().indent(2);
        return header.getValue() + "metadata:\n  name: p\n  namespace: ns\nspec:\n" + spec;
      }
    }
    throw new AssertionError("case without input: " + c);
  }

  private static void run(JsonNode c) {
    ConfigSet config = ConfigLoader.loadString(input(c), c.path("file").asText("case.yaml"));
    boolean lint = c.path("lint").asBoolean(false);
    List<Finding> unmatched = new ArrayList<>();
    for (Finding f : config.findings()) {
      if (lint || !f.message().startsWith(PolicyLinter.PREFIX)) {
        unmatched.add(f);
      }
    }
    String all = String.join("\n  ", config.findings().stream().map(Finding::format).toList());
    for (JsonNode e : c.path("expect")) {
      Finding.Severity severity = Finding.Severity.valueOf(e.get(0).asText());
      String field = e.get(1).asText();
      String message = e.get(2).asText();
      int document = e.has(3) ? e.get(3).asInt() : -1;
      Iterator<Finding> it = unmatched.iterator();
      boolean found = false;
      while (it.hasNext()) {
        Finding f = it.next();
        if (f.severity() == severity
            && f.field().equals(field)
            && f.message().contains(message)
            && (document < 0 || f.document() == document)) {
          it.remove();
          found = true;
          break;
        }
      }
      assertThat(found)
          .as("expected %s %s: %s\nactual:\n  %s", severity, field, message, all)
          .isTrue();
    }
    assertThat(unmatched).as("unexpected findings; all:\n  %s", all).isEmpty();
    if (c.has("notices")) {
      List<String> expected = new ArrayList<>();
      c.get("notices").forEach(n -> expected.add(n.asText()));
      assertThat(config.notices()).as("notices").hasSameSizeAs(expected);
      for (int i = 0; i < expected.size(); i++) {
        assertThat(config.notices().get(i)).contains(expected.get(i));
      }
    } else {
      assertThat(config.notices()).as("notices").isEmpty();
    }
    JsonNode counts = c.path("counts");
    if (counts.has("requestAuthentications")) {
      assertThat(config.requestAuthentications())
          .hasSize(counts.get("requestAuthentications").asInt());
    }
    if (counts.has("authorizationPolicies")) {
      assertThat(config.authorizationPolicies())
          .hasSize(counts.get("authorizationPolicies").asInt());
    }
    if (counts.has("serviceEntries")) {
      assertThat(config.serviceEntries()).hasSize(counts.get("serviceEntries").asInt());
    }
    if (counts.has("destinationRules")) {
      assertThat(config.destinationRules()).hasSize(counts.get("destinationRules").asInt());
    }
  }
}
