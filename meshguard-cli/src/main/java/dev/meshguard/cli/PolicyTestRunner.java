package dev.meshguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshguard.cli.policytest.CaseResult;
import dev.meshguard.cli.policytest.ExpectationCheck;
import dev.meshguard.cli.policytest.FileResult;
import dev.meshguard.cli.policytest.PolicyTestFile;
import dev.meshguard.cli.policytest.PolicyTestFile.Case;
import dev.meshguard.cli.policytest.PolicyTestFile.KeySpec;
import dev.meshguard.cli.policytest.PolicyTestFile.Request;
import dev.meshguard.cli.policytest.PolicyTestFile.WorkloadSpec;
import dev.meshguard.cli.policytest.TestFileException;
import dev.meshguard.cli.token.JwsAlgorithm;
import dev.meshguard.cli.token.KeyFiles;
import dev.meshguard.cli.token.SigningKey;
import dev.meshguard.cli.token.TokenSigner;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.MeshSettingsLoader;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.policy.Finding;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Runs one test file: compiles its configuration for each workload exactly as `check` does ({@link
 * Workloads}), builds each case's request as `check` does ({@link RequestSpec}) and decides it with
 * {@link Engine#explain} (the same answer as {@link Engine#decide}, with the trace cases may
 * check).
 */
final class PolicyTestRunner {
  private static final Pattern RELATIVE_TIME = Pattern.compile("[+-][0-9]+[smhd]?");
  private static final List<String> TIME_CLAIMS = List.of("iat", "nbf", "exp");

  private final PolicyTestFile file;
  private final RemoteJwksSources remoteKeys;
  private final Map<WorkloadSpec, PolicySnapshot> snapshots = new HashMap<>();
  private final Map<String, SigningKey> keys = new HashMap<>();
  private MeshSettings mesh;

  private PolicyTestRunner(PolicyTestFile file, RemoteJwksSources remoteKeys) {
    this.file = file;
    this.remoteKeys = remoteKeys;
  }

  /** The results of every case; {@link FileResult#broken()} says why the file could not run. */
  static FileResult run(PolicyTestFile file, RemoteJwksSources remoteKeys) {
    String name = file.file().toString();
    try {
      return new FileResult(name, new PolicyTestRunner(file, remoteKeys).runAll(), null);
    } catch (TestFileException e) {
      return new FileResult(name, List.of(), e.getMessage());
    }
  }

  private List<CaseResult> runAll() throws TestFileException {
    String name = file.file().toString();
    try {
      mesh = Workloads.meshSettings(options(file.workload()));
    } catch (MeshSettingsLoader.MeshConfigException e) {
      throw new TestFileException(name, "meshConfig", e.getMessage());
    }
    for (KeySpec k : file.keys().values()) {
      try {
        keys.put(k.name(), KeyFiles.read(k.file()));
      } catch (IOException | IllegalArgumentException e) {
        throw new TestFileException(name, "keys." + k.name() + ".file", e.getMessage());
      }
    }
    List<CaseResult> results = new ArrayList<>();
    if (!file.expectFindings().isEmpty()) {
      results.add(findings());
    }
    for (Case c : file.cases()) {
      results.add(runCase(c));
    }
    return results;
  }

  private WorkloadOptions options(WorkloadSpec workload) {
    WorkloadOptions o = new WorkloadOptions();
    o.configPaths = new ArrayList<>(file.config());
    o.namespace = workload.namespace();
    o.service = workload.service();
    o.labels = new ArrayList<>();
    workload.labels().forEach((k, v) -> o.labels.add(k + "=" + v));
    o.meshConfig = file.meshConfig();
    o.rootNamespace = file.rootNamespace();
    return o;
  }

  private PolicySnapshot snapshot(WorkloadSpec workload) {
    return snapshots.computeIfAbsent(
        workload, w -> Workloads.compile(options(w), mesh, remoteKeys::remote));
  }

  private CaseResult findings() {
    long start = System.nanoTime();
    PolicySnapshot s = snapshot(file.workload());
    List<ExpectationCheck.Mismatch> mismatches = new ArrayList<>();
    expectFindings(file.expectFindings().errors(), s, true, mismatches);
    expectFindings(file.expectFindings().warnings(), s, false, mismatches);
    List<String> all = s.findings().stream().map(Finding::format).toList();
    return new CaseResult(
        "configuration findings",
        mismatches,
        null,
        mismatches.isEmpty() ? List.of() : all,
        since(start));
  }

  private static void expectFindings(
      List<String> expected,
      PolicySnapshot s,
      boolean errors,
      List<ExpectationCheck.Mismatch> mismatches) {
    String kind = errors ? "error" : "warning";
    for (String part : expected) {
      boolean found =
          s.findings().stream()
              .filter(f -> f.isError() == errors)
              .anyMatch(f -> f.format().contains(part));
      if (!found) {
        mismatches.add(
            new ExpectationCheck.Mismatch(
                "an " + kind + " containing: " + part,
                "no such " + kind + " (all findings below)"));
      }
    }
  }

  private CaseResult runCase(Case c) throws TestFileException {
    long start = System.nanoTime();
    WorkloadSpec workload = c.workload() != null ? c.workload() : file.workload();
    PolicySnapshot snapshot = snapshot(workload);
    List<String> errors =
        snapshot.findings().stream().filter(Finding::isError).map(Finding::format).toList();
    if (!errors.isEmpty()) {
      return new CaseResult(
          c.name(),
          List.of(),
          "the configuration has errors; nothing was decided:\n  " + String.join("\n  ", errors),
          List.of(),
          since(start));
    }
    long now =
        c.now() != null
            ? c.now()
            : file.now() != null ? file.now() : System.currentTimeMillis() / 1000;
    RequestSpec request = requestSpec(c, now);
    // explained: cases may expect trace lines, and a failure shows the explanation (since deciding
    // stopped writing one, decide() leaves the trace empty)
    Decision decision =
        Engine.explain(
            snapshot,
            request.toCheckRequest(),
            Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC));
    List<ExpectationCheck.Mismatch> mismatches = ExpectationCheck.compare(c.expect(), decision);
    return new CaseResult(
        c.name(),
        mismatches,
        null,
        mismatches.isEmpty() ? List.of() : decision.trace(),
        since(start));
  }

  private RequestSpec requestSpec(Case c, long now) throws TestFileException {
    Request r = c.request();
    List<Map.Entry<String, String>> headers = new ArrayList<>(r.headers());
    String token = r.token() != null ? r.token() : r.mint() != null ? mint(c, now) : null;
    if (token != null) {
      String header = r.tokenHeader() == null ? "authorization" : r.tokenHeader();
      String prefix =
          r.tokenPrefix() != null
              ? r.tokenPrefix()
              : header.equalsIgnoreCase("authorization") ? "Bearer " : "";
      headers.add(Map.entry(header, prefix + token));
    }
    return new RequestSpec(
        r.method(),
        r.scheme(),
        r.host(),
        r.path(),
        r.port(),
        headers,
        r.sourceIp(),
        r.numTrustedProxies(),
        r.sourcePrincipal(),
        r.destinationIp(),
        r.sni());
  }

  private String mint(Case c, long now) throws TestFileException {
    PolicyTestFile.Mint m = c.request().mint();
    KeySpec spec = file.keys().get(m.key());
    String alg = m.alg() != null ? m.alg() : spec.alg();
    String kid = m.kid() != null ? m.kid() : spec.kid();
    ObjectNode claims = m.claims().deepCopy();
    for (String name : TIME_CLAIMS) {
      JsonNode v = claims.get(name);
      if (v != null && v.isTextual() && RELATIVE_TIME.matcher(v.asText()).matches()) {
        claims.put(name, now + seconds(v.asText()));
      }
    }
    try {
      return TokenSigner.sign(
          keys.get(m.key()), alg == null ? null : JwsAlgorithm.parse(alg), kid, claims, "JWT");
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new TestFileException(
          file.file().toString(), c.field() + ".request.mint", e.getMessage());
    }
  }

  /** `+3600`, `-90`, `+1h`, `-2d`: seconds, signed. */
  private static long seconds(String relative) {
    String body = relative.substring(1).toLowerCase(Locale.ROOT);
    long value =
        Character.isDigit(body.charAt(body.length() - 1))
            ? Long.parseLong(body)
            : Durations.parse("time", body).toSeconds();
    return relative.charAt(0) == '-' ? -value : value;
  }

  private static double since(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
