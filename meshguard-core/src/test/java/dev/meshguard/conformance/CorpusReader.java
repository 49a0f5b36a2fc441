package dev.meshguard.conformance;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads corpus files strictly: unknown keys, wrong types and missing required fields fail with the
 * file and field path, so that a typo cannot silently turn a check off.
 */
public final class CorpusReader {
  // Exact decimals keep `spec: [5.10]` as `5.10` (a double would read `5.1`).
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  private static final Set<String> FILE_KEYS = Set.of("description", "workload", "cases");
  private static final Set<String> CASE_KEYS =
      Set.of(
          "name",
          "description",
          "spec",
          "workload",
          "mesh",
          "config",
          "configErrors",
          "configWarnings",
          "requests");
  private static final Set<String> WORKLOAD_KEYS = Set.of("namespace", "labels", "service");
  private static final Set<String> MESH_KEYS =
      Set.of("rootNamespace", "pathNormalization", "extensionProviders");
  private static final Set<String> REQUEST_KEYS =
      Set.of(
          "name",
          "method",
          "scheme",
          "path",
          "host",
          "port",
          "headers",
          "sourceIp",
          "numTrustedProxies",
          "sourcePrincipal",
          "destinationIp",
          "sni",
          "now",
          "expect");
  private static final Set<String> EXPECT_KEYS =
      Set.of(
          "status",
          "reason",
          "policy",
          "principal",
          "body",
          "responseHeaders",
          "upstreamPath",
          "upstreamRemoved",
          "upstreamAdded",
          "trace",
          "shadow");
  private static final Set<String> SHADOW_KEYS = Set.of("result", "policy");

  /** The host sent when a request names none: every HTTP/1.1 request has one. */
  public static final String DEFAULT_HOST = "example.com";

  private CorpusReader() {}

  /** Parses one corpus file; {@code file} names it in errors and in test names. */
  public static List<CorpusCase> read(String file, String text) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (IOException e) {
      throw new CorpusException(file + ": not valid YAML: " + e.getMessage());
    }
    Node top = new Node(file, "", root);
    top.requireKeys(FILE_KEYS, Set.of("cases"));
    Node defaultWorkload = top.get("workload");
    List<CorpusCase> cases = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Node c : top.get("cases").list()) {
      CorpusCase parsed = readCase(file, c, defaultWorkload);
      if (!names.add(parsed.name())) {
        throw c.error("duplicate case name `" + parsed.name() + "`");
      }
      cases.add(parsed);
    }
    if (cases.isEmpty()) {
      throw top.error("no cases");
    }
    return cases;
  }

  private static CorpusCase readCase(String file, Node c, Node defaultWorkload) {
    c.requireKeys(CASE_KEYS, Set.of("name", "spec", "config"));
    String name = c.get("name").text();
    Node workload = c.has("workload") ? c.get("workload") : defaultWorkload;
    if (workload == null) {
      throw c.error("`workload` is required (in the case or at the top of the file)");
    }
    workload.requireKeys(WORKLOAD_KEYS, Set.of("namespace"));
    Map<String, String> labels =
        workload.has("labels") ? workload.get("labels").stringMap() : Map.of();
    CorpusCase.Mesh mesh = CorpusCase.Mesh.DEFAULTS;
    if (c.has("mesh")) {
      Node m = c.get("mesh");
      m.requireKeys(MESH_KEYS, Set.of());
      mesh =
          new CorpusCase.Mesh(
              m.optText("rootNamespace"),
              m.optText("pathNormalization"),
              m.has("extensionProviders") ? m.get("extensionProviders").stringList() : List.of());
    }
    List<String> spec = c.get("spec").stringList();
    if (spec.isEmpty()) {
      throw c.get("spec").error("at least one statement id is required");
    }
    List<String> configErrors =
        c.has("configErrors") ? c.get("configErrors").stringList() : List.of();
    List<String> configWarnings =
        c.has("configWarnings") ? c.get("configWarnings").stringList() : List.of();
    List<CorpusRequest> requests = new ArrayList<>();
    Set<String> requestNames = new HashSet<>();
    if (c.has("requests")) {
      for (Node r : c.get("requests").list()) {
        CorpusRequest request = readRequest(r);
        if (!requestNames.add(request.name())) {
          throw r.error("duplicate request name `" + request.name() + "`");
        }
        requests.add(request);
      }
    }
    if (configErrors.isEmpty() && requests.isEmpty()) {
      throw c.error("a case needs `requests` (or `configErrors`)");
    }
    if (!configErrors.isEmpty() && !requests.isEmpty()) {
      throw c.error("a case with `configErrors` cannot have requests");
    }
    return new CorpusCase(
        file,
        name,
        spec,
        workload.get("namespace").text(),
        labels,
        workload.optText("service"),
        mesh,
        c.get("config").text(),
        configErrors,
        configWarnings,
        requests);
  }

  private static CorpusRequest readRequest(Node r) {
    r.requireKeys(REQUEST_KEYS, Set.of("name", "path", "expect"));
    String method = r.has("method") ? r.get("method").text() : "GET";
    String scheme = r.has("scheme") ? r.get("scheme").text() : "http";
    String host = r.has("host") ? r.get("host").text() : DEFAULT_HOST;
    int port = r.has("port") ? r.get("port").integer() : 0;
    int hops = r.has("numTrustedProxies") ? r.get("numTrustedProxies").integer() : 0;
    List<String> headers = r.has("headers") ? r.get("headers").stringList() : List.of();
    for (int i = 0; i < headers.size(); i++) {
      if (headers.get(i).indexOf(':') <= 0) {
        throw r.get("headers").error("[" + i + "] is not of the form `Name: value`");
      }
    }
    String now = r.has("now") ? r.get("now").scalar() : null;
    if (now != null) {
      Placeholders.time(now); // fails early on a malformed value
    }
    return new CorpusRequest(
        r.get("name").text(),
        method,
        scheme,
        r.get("path").text(),
        host,
        port,
        headers,
        r.optText("sourceIp"),
        hops,
        r.optText("sourcePrincipal"),
        r.optText("destinationIp"),
        r.optText("sni"),
        now,
        readExpectation(r.get("expect")));
  }

  private static Expectation readExpectation(Node e) {
    e.requireKeys(EXPECT_KEYS, Set.of("status"));
    int status = e.get("status").integer();
    boolean allowed = status == 200;
    for (String upstreamKey : List.of("upstreamPath", "upstreamRemoved", "upstreamAdded")) {
      if (!allowed && e.has(upstreamKey)) {
        throw e.error("`" + upstreamKey + "` only makes sense for an allowed (200) request");
      }
    }
    return new Expectation(
        status,
        e.optText("reason"),
        e.has("policy"),
        e.has("policy") ? e.get("policy").nullableText() : null,
        e.has("principal"),
        e.has("principal") ? e.get("principal").nullableText() : null,
        e.optText("body"),
        e.has("responseHeaders") ? e.get("responseHeaders").stringMap() : null,
        e.optText("upstreamPath"),
        e.has("upstreamRemoved") ? e.get("upstreamRemoved").stringList() : null,
        e.has("upstreamAdded") ? e.get("upstreamAdded").stringMap() : null,
        e.has("trace") ? e.get("trace").stringList() : List.of(),
        e.has("shadow"),
        e.has("shadow") ? shadow(e.get("shadow")) : null);
  }

  /** `null` (no dry-run verdict) or `{result: allowed|denied, policy: RBAC name}`. */
  private static Expectation.Shadow shadow(Node s) {
    if (s.node().isNull()) {
      return null;
    }
    s.requireKeys(SHADOW_KEYS, Set.of("result"));
    String result = s.get("result").text();
    if (!result.equals("allowed") && !result.equals("denied")) {
      throw s.get("result").error("must be `allowed` or `denied`");
    }
    return new Expectation.Shadow(result, s.optText("policy"));
  }

  /** A corpus file that does not follow the format. */
  public static final class CorpusException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorpusException(String message) {
      super(message);
    }
  }

  /** A YAML node with its location, for strict reading and precise errors. */
  private record Node(String file, String path, JsonNode node) {

    CorpusException error(String message) {
      return new CorpusException(file + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    boolean has(String key) {
      return node.has(key);
    }

    Node get(String key) {
      JsonNode child = node.get(key);
      if (child == null) {
        return null;
      }
      return new Node(file, path.isEmpty() ? key : path + "." + key, child);
    }

    void requireKeys(Set<String> allowed, Set<String> required) {
      if (node == null || !node.isObject()) {
        throw error("expected a mapping");
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!allowed.contains(key)) {
          throw error(
              "unknown key `" + key + "` (allowed: " + new java.util.TreeSet<>(allowed) + ")");
        }
      }
      for (String key : required) {
        if (!node.has(key) || node.get(key).isNull()) {
          throw error("`" + key + "` is required");
        }
      }
    }

    List<Node> list() {
      if (!node.isArray()) {
        throw error("expected a list");
      }
      List<Node> out = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        out.add(new Node(file, path + "[" + i + "]", node.get(i)));
      }
      return out;
    }

    /** A string; YAML scalars that read as numbers or booleans are refused (quote them). */
    String text() {
      if (!node.isTextual()) {
        throw error("expected a string, got " + node.getNodeType());
      }
      return node.asText();
    }

    String nullableText() {
      return node.isNull() ? null : text();
    }

    String optText(String key) {
      return has(key) ? get(key).text() : null;
    }

    /** Any scalar as written (numbers keep their digits). */
    String scalar() {
      if (node.isTextual()) {
        return node.asText();
      }
      if (node.isBigDecimal()) {
        return node.decimalValue().toPlainString();
      }
      if (node.isNumber() || node.isBoolean()) {
        return node.asText();
      }
      throw error("expected a scalar, got " + node.getNodeType());
    }

    int integer() {
      if (!node.isIntegralNumber() || !node.canConvertToInt()) {
        throw error("expected an integer");
      }
      return node.intValue();
    }

    /** A list of scalars as written; `spec: [8.20]` stays `8.20`. */
    List<String> stringList() {
      List<String> out = new ArrayList<>();
      for (Node n : list()) {
        out.add(n.scalar());
      }
      return out;
    }

    Map<String, String> stringMap() {
      if (!node.isObject()) {
        throw error("expected a mapping");
      }
      Map<String, String> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), new Node(file, path + "." + e.getKey(), e.getValue()).scalar());
      }
      return out;
    }
  }
}
