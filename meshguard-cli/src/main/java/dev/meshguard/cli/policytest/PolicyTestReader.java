package dev.meshguard.cli.policytest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.meshguard.cli.policytest.PolicyTestFile.Case;
import dev.meshguard.cli.policytest.PolicyTestFile.Expectation;
import dev.meshguard.cli.policytest.PolicyTestFile.FindingsExpectation;
import dev.meshguard.cli.policytest.PolicyTestFile.KeySpec;
import dev.meshguard.cli.policytest.PolicyTestFile.Mint;
import dev.meshguard.cli.policytest.PolicyTestFile.Request;
import dev.meshguard.cli.policytest.PolicyTestFile.WorkloadSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a `meshguard test` file strictly (see docs/policy-tests.md for the format). */
public final class PolicyTestReader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final Set<String> TOP =
      Set.of(
          "description",
          "config",
          "meshConfig",
          "rootNamespace",
          "now",
          "keys",
          "workload",
          "expectFindings",
          "cases");
  private static final Set<String> CASE =
      Set.of("name", "description", "workload", "now", "request", "expect");
  private static final Set<String> REQUEST =
      Set.of(
          "method",
          "scheme",
          "host",
          "path",
          "port",
          "headers",
          "token",
          "mint",
          "tokenHeader",
          "tokenPrefix",
          "sourceIp",
          "numTrustedProxies",
          "sourcePrincipal",
          "destinationIp",
          "sni");
  private static final Set<String> EXPECT =
      Set.of(
          "status",
          "allowed",
          "reason",
          "policy",
          "principal",
          "body",
          "responseHeaders",
          "upstreamPath",
          "upstreamRemoved",
          "upstreamAdded",
          "trace");
  private static final Set<String> KEY = Set.of("file", "alg", "kid");
  private static final Set<String> MINT = Set.of("key", "claims", "alg", "kid");
  private static final Set<String> WORKLOAD = Set.of("namespace", "labels", "service");
  private static final Set<String> FINDINGS = Set.of("errors", "warnings");

  private PolicyTestReader() {}

  public static PolicyTestFile read(Path file) throws TestFileException {
    String name = file.toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new TestFileException(name, "", "cannot read: " + e.getMessage());
    }
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new TestFileException(
          name, "", "invalid yaml: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
    if (root == null || root.isMissingNode()) {
      throw new TestFileException(name, "", "empty test file");
    }
    Path dir = file.toAbsolutePath().getParent();
    YamlField top = new YamlField(name, "", root).map(TOP);

    List<Path> config = new ArrayList<>();
    YamlField configField = top.get("config");
    if (configField.isMissing()) {
      throw configField.error("required: the policy files or directories under test");
    }
    List<YamlField> configItems =
        configField.node().isArray() ? configField.list() : List.of(configField);
    for (YamlField item : configItems) {
      config.add(existing(dir, item));
    }
    YamlField meshField = top.get("meshConfig");
    Path mesh = meshField.isMissing() ? null : existing(dir, meshField);

    Map<String, KeySpec> keys = new LinkedHashMap<>();
    YamlField keysField = top.get("keys");
    if (!keysField.isMissing()) {
      keysField.map(keyNames(keysField));
      for (Iterator<String> it = keysField.node().fieldNames(); it.hasNext(); ) {
        String keyName = it.next();
        YamlField k = keysField.get(keyName).map(KEY);
        keys.put(
            keyName,
            new KeySpec(
                keyName, existing(dir, k.get("file")), k.get("alg").text(), k.get("kid").text()));
      }
    }

    WorkloadSpec workload = workload(top.get("workload"));
    if (workload == null) {
      workload = new WorkloadSpec("default", Map.of());
    }
    FindingsExpectation findings = new FindingsExpectation(List.of(), List.of());
    YamlField findingsField = top.get("expectFindings");
    if (!findingsField.isMissing()) {
      findingsField.map(FINDINGS);
      findings =
          new FindingsExpectation(
              findingsField.get("errors").texts(), findingsField.get("warnings").texts());
    }

    List<Case> cases = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (YamlField c : top.get("cases").list()) {
      Case parsed = testCase(c, keys);
      if (!names.add(parsed.name())) {
        throw c.get("name").error("duplicate case name `" + parsed.name() + "`");
      }
      cases.add(parsed);
    }
    if (cases.isEmpty() && findings.isEmpty()) {
      throw top.get("cases").error("required: at least one case (or expectFindings)");
    }
    return new PolicyTestFile(
        file,
        config,
        mesh,
        top.get("rootNamespace").text(),
        top.get("now").longValue(),
        keys,
        workload,
        findings,
        cases);
  }

  private static Set<String> keyNames(YamlField keys) {
    Set<String> names = new HashSet<>();
    keys.node().fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Path existing(Path dir, YamlField field) throws TestFileException {
    String value = field.requiredText();
    Path p = dir.resolve(value).normalize();
    if (!Files.exists(p)) {
      throw field.error("`" + value + "` does not exist (looked for " + p + ")");
    }
    return p;
  }

  private static WorkloadSpec workload(YamlField field) throws TestFileException {
    if (field.isMissing()) {
      return null;
    }
    field.map(WORKLOAD);
    String ns = field.get("namespace").text();
    return new WorkloadSpec(
        ns == null ? "default" : ns, field.get("labels").stringMap(), field.get("service").text());
  }

  private static Case testCase(YamlField c, Map<String, KeySpec> keys) throws TestFileException {
    c.map(CASE);
    String name = c.get("name").requiredText();
    YamlField requestField = c.get("request");
    if (requestField.isMissing()) {
      throw requestField.error("required");
    }
    YamlField expectField = c.get("expect");
    if (expectField.isMissing()) {
      throw expectField.error("required");
    }
    return new Case(
        name,
        c.path(),
        workload(c.get("workload")),
        c.get("now").longValue(),
        request(requestField, keys),
        expectation(expectField));
  }

  private static Request request(YamlField r, Map<String, KeySpec> keys) throws TestFileException {
    r.map(REQUEST);
    String method = r.get("method").text();
    String scheme = r.get("scheme").text();
    Integer port = r.get("port").integer();
    Integer hops = r.get("numTrustedProxies").integer();
    String token = r.get("token").text();
    Mint mint = mint(r.get("mint"), keys);
    if (token != null && mint != null) {
      throw r.get("mint").error("give either token or mint, not both");
    }
    return new Request(
        method == null ? "GET" : method,
        scheme == null ? "http" : scheme,
        r.get("host").text(),
        r.get("path").requiredText(),
        port == null ? 0 : port,
        headers(r.get("headers")),
        token,
        mint,
        r.get("tokenHeader").text(),
        r.get("tokenPrefix").text(),
        r.get("sourceIp").text(),
        hops == null ? 0 : hops,
        r.get("sourcePrincipal").text(),
        r.get("destinationIp").text(),
        r.get("sni").text());
  }

  /** `{name: value}` (a list value repeats the header) or a list of `Name: value` lines. */
  private static List<Map.Entry<String, String>> headers(YamlField h) throws TestFileException {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (h.isMissing()) {
      return out;
    }
    if (h.node().isArray()) {
      for (YamlField line : h.list()) {
        String text = line.requiredText();
        int colon = text.indexOf(':');
        if (colon <= 0) {
          throw line.error("`" + text + "` is not of the form 'Name: value'");
        }
        out.add(Map.entry(text.substring(0, colon).trim(), text.substring(colon + 1).trim()));
      }
      return out;
    }
    if (!h.node().isObject()) {
      throw h.error("expected a map of header values or a list of `Name: value` lines");
    }
    for (Iterator<String> it = h.node().fieldNames(); it.hasNext(); ) {
      String name = it.next();
      for (String value : h.get(name).texts()) {
        out.add(Map.entry(name, value == null ? "" : value));
      }
    }
    return out;
  }

  private static Mint mint(YamlField m, Map<String, KeySpec> keys) throws TestFileException {
    if (m.isMissing()) {
      return null;
    }
    m.map(MINT);
    String key = m.get("key").requiredText();
    if (!keys.containsKey(key)) {
      throw m.get("key").error("no key `" + key + "` under `keys`");
    }
    YamlField claims = m.get("claims");
    if (claims.isMissing() || !claims.node().isObject()) {
      throw claims.error("required: the token's claims, a map");
    }
    return new Mint(key, (ObjectNode) claims.node(), m.get("alg").text(), m.get("kid").text());
  }

  private static Expectation expectation(YamlField e) throws TestFileException {
    e.map(EXPECT);
    Integer status = e.get("status").integer();
    Boolean allowed = e.get("allowed").bool();
    if (status == null && allowed == null) {
      throw e.get("status").error("required (or `allowed: true|false`)");
    }
    boolean policySet = e.node().has("policy");
    boolean principalSet = e.node().has("principal");
    YamlField removed = e.get("upstreamRemoved");
    return new Expectation(
        status,
        allowed,
        e.get("reason").text(),
        policySet,
        policySet ? e.get("policy").text() : null,
        principalSet,
        principalSet ? e.get("principal").text() : null,
        e.get("body").text(),
        e.get("responseHeaders").isMissing() ? null : e.get("responseHeaders").stringMap(),
        e.get("upstreamPath").text(),
        removed.isMissing() ? null : removed.texts(),
        e.get("upstreamAdded").isMissing() ? null : e.get("upstreamAdded").stringMap(),
        e.get("trace").texts());
  }
}
