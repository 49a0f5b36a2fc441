package dev.meshguard.engine.authn;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.meshguard.engine.HeaderWorkingSet;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.jwt.JwkSet;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwtStatus;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The verified-token cache never outlives the keys, the clock or the issuer check. */
class VerifiedTokenCacheTest {
  private static final long NOW = 1_700_000_000L;

  private static String sign(RSAKey key, long exp) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
            new JWTClaimsSet.Builder()
                .issuer("iss")
                .subject("alice")
                .expirationTime(new Date(exp * 1000))
                .build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private static JwkSet jwks(RSAKey key) throws Exception {
    return JwkSet.parse("{\"keys\":[" + key.toPublicJWK().toJSONString() + "]}");
  }

  private static JwtStatus authenticate(Authenticator authenticator, String token, long now) {
    HeaderWorkingSet headers =
        new HeaderWorkingSet(
            RequestHeaders.of(List.of(Map.entry("authorization", "Bearer " + token))));
    return authenticator.authenticate("GET", headers, null, now).status();
  }

  @Test
  void aCachedTokenIsStillCheckedAgainstTheClockAndTheCurrentKeys() throws Exception {
    RSAKey first = new RSAKeyGenerator(2048).keyID("k1").generate();
    RSAKey second = new RSAKeyGenerator(2048).keyID("k1").generate();
    AtomicReference<JwkSet> current = new AtomicReference<>(jwks(first));
    JwksSource source =
        new JwksSource() {
          @Override
          public KeySetLookup current() {
            return KeySetLookup.of(current.get(), "test");
          }

          @Override
          public String description() {
            return "test";
          }
        };
    Authenticator authenticator =
        new Authenticator(
            List.of(
                new JwtProvider(
                    "origins-0",
                    "test",
                    "iss",
                    List.of(),
                    List.of(new JwtProvider.HeaderLocation("authorization", "Bearer ")),
                    List.of(),
                    List.of(),
                    source,
                    false,
                    null,
                    List.of(),
                    Set.of())));
    String token = sign(first, NOW + 100);

    assertThat(authenticate(authenticator, token, NOW)).isEqualTo(JwtStatus.OK);
    assertThat(authenticate(authenticator, token, NOW)).isEqualTo(JwtStatus.OK);
    assertThat(authenticate(authenticator, token, NOW + 1000)).isEqualTo(JwtStatus.JWT_EXPIRED);

    current.set(jwks(second)); // same kid, other key: the cached result must not be reused
    assertThat(authenticate(authenticator, token, NOW)).isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);

    String tampered = token.substring(0, token.length() - 6) + "AAAAAA";
    current.set(jwks(first));
    assertThat(authenticate(authenticator, tampered, NOW))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
    assertThat(authenticate(authenticator, tampered, NOW))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }
}
