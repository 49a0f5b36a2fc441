package dev.meshguard.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.ExtensionProvider;
import dev.meshguard.engine.ForwardedFor;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.PathNormalization;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.Finding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the conformance corpus (`src/test/resources/conformance/*.yaml`) through {@link
 * Engine#decide}: one test per request, named `file :: case :: request`.
 */
class ConformanceTest {
  @TempDir static Path configDir;

  @TestFactory
  Stream<DynamicTest> corpus() {
    List<DynamicTest> tests = new ArrayList<>();
    for (CorpusCase c : Corpus.load()) {
      CompiledCase compiled = new CompiledCase(c);
      if (!c.configErrors().isEmpty()) {
        tests.add(
            DynamicTest.dynamicTest(
                c.displayName() + " :: config",
                () ->
                    PendingEngineFixes.run(
                        c.displayName() + " :: config", compiled::assertConfigErrors)));
        continue;
      }
      for (CorpusRequest r : c.requests()) {
        tests.add(
            DynamicTest.dynamicTest(
                c.displayName() + " :: " + r.name(),
                () ->
                    PendingEngineFixes.run(
                        c.displayName() + " :: " + r.name(), () -> compiled.assertRequest(r))));
      }
    }
    return tests.stream();
  }

  /** A case whose configuration is compiled once, on first use, for all its requests. */
  private static final class CompiledCase {
    private final CorpusCase c;
    private PolicySnapshot snapshot;

    CompiledCase(CorpusCase c) {
      this.c = c;
    }

    synchronized PolicySnapshot snapshot() throws IOException {
      if (snapshot == null) {
        Path file = Files.createTempFile(configDir, c.file().replace(".yaml", "") + "-", ".yaml");
        Files.writeString(file, Placeholders.resolve(c.config()), StandardCharsets.UTF_8);
        ConfigSet config = ConfigLoader.load(List.of(file));
        snapshot =
            SnapshotCompiler.compile(
                config, meshSettings(c.mesh()), c.workload(), REMOTE_KEYS::remote);
      }
      return snapshot;
    }

    void assertConfigErrors() throws IOException {
      PolicySnapshot s = snapshot();
      List<String> errors = messages(s, true);
      String context = c.displayName() + ": findings " + messages(s, false) + " " + errors;
      assertThat(errors).as("error findings of %s", context).isNotEmpty();
      for (String expected : c.configErrors()) {
        assertThat(errors).as("error findings of %s", context).anyMatch(m -> m.contains(expected));
      }
    }

    void assertRequest(CorpusRequest r) throws IOException {
      PolicySnapshot s = snapshot();
      assertThat(messages(s, true))
          .as("error findings of the configuration of %s", c.displayName())
          .isEmpty();
      for (String expected : c.configWarnings()) {
        assertThat(messages(s, false))
            .as("warning findings of %s", c.displayName())
            .anyMatch(m -> m.contains(expected));
      }
      RequestHeaders headers = RequestHeaders.of(r.resolvedHeaderEntries());
      CheckRequest request =
          new CheckRequest(
              r.method(),
              r.scheme(),
              r.host(),
              Placeholders.resolve(r.path()),
              headers,
              r.sourceIp(),
              ForwardedFor.clientAddress(
                  r.sourceIp(), headers.all("x-forwarded-for"), r.numTrustedProxies()),
              r.sourcePrincipal(),
              r.destinationIp(),
              r.port(),
              r.sni());
      Clock clock = Clock.fixed(Instant.ofEpochSecond(r.nowEpochSeconds()), ZoneOffset.UTC);
      // Deciding (indexed rules, no text) first, then explaining (every rule walked and traced):
      // the explanation must come with the very same answer.
      Decision decision = Engine.decide(s, request, clock);
      Decision explained = Engine.explain(s, request, clock);
      assertThat(decision.trace()).as("deciding builds no explanation").isEmpty();
      assertThat(explained.sameAnswer(decision))
          .as(
              "%s :: %s\nexplained: %s\ndecided:   %s",
              c.displayName(), r.name(), explained, decision)
          .isTrue();
      List<String> mismatches =
          r.expect().resolved().mismatches(observed(decision, explained.trace()));
      assertThat(mismatches)
          .as(
              "%s :: %s\ntrace:\n  %s",
              c.displayName(), r.name(), String.join("\n  ", explained.trace()))
          .isEmpty();
    }
  }

  static Expectation.Observed observed(Decision d) {
    return observed(d, d.trace());
  }

  static Expectation.Observed observed(Decision d, List<String> trace) {
    Map<String, String> responseHeaders = new LinkedHashMap<>();
    d.responseHeaders().forEach(e -> responseHeaders.put(e.getKey(), e.getValue()));
    Map<String, String> added = new LinkedHashMap<>();
    if (d.upstream() != null) {
      d.upstream().addHeaders().forEach(e -> added.put(e.getKey(), e.getValue()));
    }
    return new Expectation.Observed(
        d.status(),
        d.reason(),
        d.policy(),
        d.principal(),
        d.body(),
        responseHeaders,
        d.upstream() == null ? null : d.upstream().path(),
        d.upstream() == null ? List.of() : d.upstream().removeHeaders(),
        added,
        trace,
        d.shadow() == null
            ? null
            : new Expectation.Shadow(d.shadow().engineResult(), d.shadow().effectivePolicyId()));
  }

  static MeshSettings meshSettings(CorpusCase.Mesh mesh) {
    MeshSettings defaults = MeshSettings.defaults();
    Map<String, ExtensionProvider> providers = new LinkedHashMap<>();
    // the corpus names providers only; what they would answer is not part of it
    mesh.extensionProviders()
        .forEach(p -> providers.put(p, new ExtensionProvider(p, "corpus", null)));
    return new MeshSettings(
        mesh.rootNamespace() == null ? defaults.rootNamespace() : mesh.rootNamespace(),
        mesh.pathNormalization() == null
            ? defaults.pathNormalization()
            : mesh.pathNormalization().equals("DEFAULT")
                ? PathNormalization.BASE
                : PathNormalization.valueOf(mesh.pathNormalization()),
        defaults.trustDomain(),
        defaults.trustDomainAliases(),
        providers);
  }

  private static List<String> messages(PolicySnapshot s, boolean errors) {
    return s.findings().stream().filter(f -> f.isError() == errors).map(Finding::format).toList();
  }

  /** Remote key sources, as `check` and `serve` use them, shared by every case. */
  private static final RemoteJwksSources REMOTE_KEYS =
      new RemoteJwksSources(RemoteJwksOptions.defaults());

  @AfterAll
  static void closeRemoteKeys() {
    REMOTE_KEYS.close();
  }
}
