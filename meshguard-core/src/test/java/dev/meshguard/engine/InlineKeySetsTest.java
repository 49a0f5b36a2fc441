package dev.meshguard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.meshguard.engine.authn.VerifiedTokenCache;
import dev.meshguard.policy.ConfigLoader;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A reload that keeps a rule's inline keys keeps the tokens verified under them. */
class InlineKeySetsTest {
  @Test
  void aReloadedConfigurationWithTheSameKeysReusesVerifiedTokens() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
    String yaml =
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: foo}
        spec:
          jwtRules:
          - issuer: reload@meshguard.test
            jwks: '{"keys":[%s]}'
        """
            .formatted(key.toPublicJWK().toJSONString());
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k").build(),
            new JWTClaimsSet.Builder()
                .issuer("reload@meshguard.test")
                .subject("alice")
                .expirationTime(new Date(System.currentTimeMillis() + 3_600_000))
                .build());
    jwt.sign(new RSASSASigner(key));
    CheckRequest request =
        new CheckRequest(
            "GET",
            "http",
            "example.com",
            "/",
            RequestHeaders.of(List.of(Map.entry("authorization", "Bearer " + jwt.serialize()))),
            null,
            null,
            null,
            null,
            80,
            null);
    VerifiedTokenCache.Stats start = VerifiedTokenCache.shared().stats();

    assertThat(Engine.decide(compile(yaml), request, Clock.systemUTC()).principal())
        .isEqualTo("reload@meshguard.test/alice");
    assertThat(Engine.decide(compile(yaml), request, Clock.systemUTC()).principal())
        .as("decided by the reloaded configuration")
        .isEqualTo("reload@meshguard.test/alice");

    VerifiedTokenCache.Stats end = VerifiedTokenCache.shared().stats();
    assertThat(end.misses() - start.misses()).as("verified once").isEqualTo(1);
    assertThat(end.hits() - start.hits()).as("then reused after the reload").isEqualTo(1);
  }

  private static PolicySnapshot compile(String yaml) {
    return SnapshotCompiler.compile(
        ConfigLoader.loadString(yaml, "config.yaml"),
        MeshSettings.defaults(),
        new Workload("foo", Map.of()),
        (rule, config) -> {
          throw new IllegalStateException("inline keys only");
        });
  }
}
