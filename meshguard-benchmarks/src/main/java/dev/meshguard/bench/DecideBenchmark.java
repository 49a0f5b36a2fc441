package dev.meshguard.bench;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one decision on the FAQ gateway policies: a request without a token (authorization
 * only), one with a valid RS256 token (parse, verify, claims, authorization) and one with a
 * tampered token (rejected after the signature check).
 *
 * <p>Run: {@code java -jar meshguard-benchmarks/target/benchmarks.jar DecideBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecideBenchmark {
  private PolicySnapshot snapshot;
  private CheckRequest anonymous;
  private CheckRequest valid;
  private CheckRequest tampered;
  private final Clock clock = Clock.systemUTC();

  @Setup
  public void setUp() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("bench").generate();
    String yaml =
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: istio-system}
        spec:
          selector: {matchLabels: {app: istio-ingressgateway}}
          jwtRules:
          - issuer: bench@meshguard.dev
            jwks: '%s'
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: require-jwt, namespace: istio-system}
        spec:
          selector: {matchLabels: {app: istio-ingressgateway}}
          action: DENY
          rules:
          - from: [{source: {notRequestPrincipals: ['*']}}]
            to: [{operation: {notPaths: [/productpage]}}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: allow-reviewers, namespace: istio-system}
        spec:
          selector: {matchLabels: {app: istio-ingressgateway}}
          rules:
          - to: [{operation: {paths: [/productpage, /api/v1/products/*], methods: [GET]}}]
            when: [{key: 'request.auth.claims[groups]', values: [reviewers]}]
          - to: [{operation: {paths: [/productpage]}}]
        """
            .formatted("{\"keys\":[" + key.toPublicJWK().toJSONString() + "]}");
    ConfigSet config = ConfigLoader.loadString(yaml, "bench.yaml");
    snapshot =
        SnapshotCompiler.compile(
            config,
            MeshSettings.defaults(),
            new Workload("istio-system", Map.of("app", "istio-ingressgateway")),
            (rule, cfg) -> {
              throw new IllegalStateException("inline keys only");
            });
    if (snapshot.hasErrors()) {
      throw new IllegalStateException(snapshot.findings().toString());
    }
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID("bench")
                .type(JOSEObjectType.JWT)
                .build(),
            new JWTClaimsSet.Builder()
                .issuer("bench@meshguard.dev")
                .subject("alice")
                .claim("groups", List.of("reviewers"))
                .claim("scope", "read write")
                .expirationTime(new Date(System.currentTimeMillis() + 3_600_000L))
                .build());
    jwt.sign(new RSASSASigner(key));
    String token = jwt.serialize();
    String bad = token.substring(0, token.length() - 4) + "AAAA";
    anonymous = request(RequestHeaders.empty());
    valid = request(RequestHeaders.of(List.of(Map.entry("authorization", "Bearer " + token))));
    tampered = request(RequestHeaders.of(List.of(Map.entry("authorization", "Bearer " + bad))));
    check(Engine.decide(snapshot, valid, clock), 200);
    check(Engine.decide(snapshot, anonymous, clock), 403);
    check(Engine.decide(snapshot, tampered, clock), 401);
  }

  private static CheckRequest request(RequestHeaders headers) {
    return new CheckRequest(
        "GET",
        "http",
        "bookinfo.example.com",
        "/api/v1/products/1?x=1",
        headers,
        "10.0.0.1",
        null,
        null,
        "10.0.0.2",
        8080,
        null);
  }

  private static void check(Decision decision, int status) {
    if (decision.status() != status) {
      throw new IllegalStateException("expected " + status + " but got " + decision);
    }
  }

  @Benchmark
  public Decision noToken() {
    return Engine.decide(snapshot, anonymous, clock);
  }

  @Benchmark
  public Decision validRs256Token() {
    return Engine.decide(snapshot, valid, clock);
  }

  @Benchmark
  public Decision tamperedRs256Token() {
    return Engine.decide(snapshot, tampered, clock);
  }
}
