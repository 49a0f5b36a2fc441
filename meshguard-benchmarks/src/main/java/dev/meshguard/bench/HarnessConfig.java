package dev.meshguard.bench;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The configuration of the shared load harness (`../shared/bench`): a RequestAuthentication with an
 * inline RS256 or ES256 key, and one ALLOW policy for any request principal.
 */
final class HarnessConfig {
  static final String ISSUER = "testing@secure.istio.io";

  private final BenchKey key;
  private final PolicySnapshot snapshot;

  private HarnessConfig(BenchKey key, PolicySnapshot snapshot) {
    this.key = key;
    this.snapshot = snapshot;
  }

  /** The harness configuration with a new key for {@code alg} (`RS256` or `ES256`). */
  static HarnessConfig create(String alg) throws Exception {
    BenchKey key = BenchKey.create(alg);
    String yaml =
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: bench-jwt, namespace: default}
        spec:
          jwtRules:
          - issuer: %s
            jwks: '%s'
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: require-jwt, namespace: default}
        spec:
          action: ALLOW
          rules:
          - from: [{source: {requestPrincipals: ["*"]}}]
        """
            .formatted(ISSUER, key.jwks());
    return new HarnessConfig(key, compile(yaml, "default", Map.of()));
  }

  /** Compiles {@code yaml} for one workload, with inline keys only; fails on any error. */
  static PolicySnapshot compile(String yaml, String namespace, Map<String, String> labels) {
    ConfigSet config = ConfigLoader.loadString(yaml, "bench.yaml");
    PolicySnapshot snapshot =
        SnapshotCompiler.compile(
            config,
            MeshSettings.defaults(),
            new Workload(namespace, labels),
            (rule, cfg) -> {
              throw new IllegalStateException("inline keys only");
            });
    if (snapshot.hasErrors()) {
      throw new IllegalStateException(snapshot.findings().toString());
    }
    return snapshot;
  }

  PolicySnapshot snapshot() {
    return snapshot;
  }

  /** The key set the configuration trusts. */
  String jwks() {
    return key.jwks();
  }

  /** A token of the harness issuer for {@code subject}. */
  String token(String subject) throws Exception {
    return key.token(ISSUER, subject);
  }

  /** GET {@code path} with the token as `Authorization: Bearer` (none when null). */
  CheckRequest request(String path, String token) {
    return request(path, token, List.of());
  }

  /** GET {@code path} with the token (none when null) and more headers, given as name, value. */
  static CheckRequest request(String path, String token, List<String> headerPairs) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    if (token != null) {
      headers.add(Map.entry("authorization", "Bearer " + token));
    }
    for (int i = 0; i + 1 < headerPairs.size(); i += 2) {
      headers.add(Map.entry(headerPairs.get(i), headerPairs.get(i + 1)));
    }
    return new CheckRequest(
        "GET",
        "http",
        "127.0.0.1:18110",
        path,
        RequestHeaders.of(headers),
        "127.0.0.1",
        null,
        null,
        "127.0.0.1",
        18110,
        null);
  }

  static void expect(Decision decision, int status) {
    if (decision.status() != status) {
      throw new IllegalStateException("expected " + status + " but got " + decision);
    }
  }
}
