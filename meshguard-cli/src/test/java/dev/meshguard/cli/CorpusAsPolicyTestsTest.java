package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.meshguard.conformance.Corpus;
import dev.meshguard.conformance.CorpusCase;
import dev.meshguard.conformance.CorpusRequest;
import dev.meshguard.conformance.Expectation;
import dev.meshguard.conformance.PendingEngineFixes;
import dev.meshguard.conformance.Placeholders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The whole conformance corpus, converted into `meshguard test` files (one per corpus case, keys
 * and tokens made at test time as the corpus makes them), passes `meshguard test`; its JUnit report
 * is valid XML with one passing testcase per corpus request.
 */
class CorpusAsPolicyTestsTest {
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build());

  @TempDir Path dir;

  @Test
  void theConformanceCorpusPassesAsPolicyTests() throws Exception {
    Path tests = Files.createDirectories(dir.resolve("tests"));
    int expectedCases = 0;
    int index = 0;
    for (CorpusCase c : Corpus.load()) {
      expectedCases += write(c, index++, tests);
    }
    int corpusRequests = Corpus.load().stream().mapToInt(c -> c.requests().size()).sum();
    assertThat(expectedCases)
        .as("every corpus request became a case")
        .isGreaterThanOrEqualTo(corpusRequests - PendingEngineFixes.all().size());
    Path junit = dir.resolve("reports/policy-tests.xml");
    Cli.Result run = Cli.run("test", tests.toString(), "--junit", junit.toString());

    List<String> failures = run.out().lines().filter(l -> l.startsWith("FAIL ")).limit(20).toList();
    assertThat(failures).as("failed cases; full output:\n%s", run).isEmpty();
    assertThat(run.exitCode()).as(run.toString()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(lines.size() - 1)).isEqualTo(expectedCases + " passed, 0 failed");
    assertThat(run.out().lines().filter(l -> l.startsWith("PASS ")).count())
        .isEqualTo(expectedCases);

    Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
    Element suites = xml.getDocumentElement();
    assertThat(suites.getTagName()).isEqualTo("testsuites");
    assertThat(suites.getAttribute("tests")).isEqualTo(Integer.toString(expectedCases));
    assertThat(suites.getAttribute("failures")).isEqualTo("0");
    assertThat(suites.getAttribute("errors")).isEqualTo("0");
    assertThat(xml.getElementsByTagName("testsuite").getLength()).isEqualTo(index);
    NodeList cases = xml.getElementsByTagName("testcase");
    assertThat(cases.getLength()).isEqualTo(expectedCases);
    assertThat(xml.getElementsByTagName("failure").getLength()).isZero();
  }

  /** Writes one corpus case as a test file; returns how many test cases it holds. */
  private static int write(CorpusCase c, int index, Path tests) throws Exception {
    String base = String.format("%03d-%s", index, c.file().replace(".yaml", ""));
    Path configDir = Files.createDirectories(tests.resolve("config").resolve(base));
    Path config = configDir.resolve("config.yaml");
    Files.writeString(config, Placeholders.resolve(c.config()), StandardCharsets.UTF_8);
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("description", c.displayName());
    file.put("config", List.of("config/" + base + "/config.yaml"));
    if (!c.mesh().isDefault()) {
      Files.writeString(configDir.resolve("mesh.yaml"), c.mesh().toMeshConfigYaml());
      file.put("meshConfig", "config/" + base + "/mesh.yaml");
    }
    Map<String, Object> workload = new LinkedHashMap<>();
    workload.put("namespace", c.namespace());
    workload.put("labels", c.labels());
    if (c.service() != null) {
      workload.put("service", c.service());
    }
    file.put("workload", workload);
    int count = 0;
    if (!c.configErrors().isEmpty() || !c.configWarnings().isEmpty()) {
      file.put(
          "expectFindings", Map.of("errors", c.configErrors(), "warnings", c.configWarnings()));
      count++;
    }
    List<Object> cases = new ArrayList<>();
    for (CorpusRequest r : c.requests()) {
      if (PendingEngineFixes.all().containsKey(c.displayName() + " :: " + r.name())) {
        continue; // known to fail; ConformanceTest keeps track of it
      }
      cases.add(testCase(r));
      count++;
    }
    file.put("cases", cases);
    Files.writeString(
        tests.resolve(base + ".test.yaml"), YAML.writeValueAsString(file), StandardCharsets.UTF_8);
    return count;
  }

  private static Map<String, Object> testCase(CorpusRequest r) {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("method", r.method());
    request.put("scheme", r.scheme());
    request.put("path", Placeholders.resolve(r.path()));
    if (r.host() != null) {
      request.put("host", r.host());
    }
    request.put("port", r.port());
    List<String> headers = new ArrayList<>();
    r.resolvedHeaderEntries().forEach(h -> headers.add(h.getKey() + ": " + h.getValue()));
    request.put("headers", headers);
    putIfSet(request, "sourceIp", r.sourceIp());
    request.put("numTrustedProxies", r.numTrustedProxies());
    putIfSet(request, "sourcePrincipal", r.sourcePrincipal());
    putIfSet(request, "destinationIp", r.destinationIp());
    putIfSet(request, "sni", r.sni());

    Expectation e = r.expect().resolved();
    Map<String, Object> expect = new LinkedHashMap<>();
    expect.put("status", e.status());
    putIfSet(expect, "reason", e.reason());
    if (e.policySet()) {
      expect.put("policy", e.policy());
    }
    if (e.principalSet()) {
      expect.put("principal", e.principal());
    }
    putIfSet(expect, "body", e.body());
    putIfSet(expect, "responseHeaders", e.responseHeaders());
    putIfSet(expect, "upstreamPath", e.upstreamPath());
    putIfSet(expect, "upstreamRemoved", e.upstreamRemoved());
    putIfSet(expect, "upstreamAdded", e.upstreamAdded());
    if (!e.trace().isEmpty()) {
      expect.put("trace", e.trace());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", r.name());
    out.put("now", r.nowEpochSeconds());
    out.put("request", request);
    out.put("expect", expect);
    return out;
  }

  private static void putIfSet(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }
}
