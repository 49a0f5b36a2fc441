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
import dev.meshguard.jwt.RegisteredClaims;
import dev.meshguard.policy.ClaimToHeader;
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

  private static JwtProvider provider(JwksSource source, List<ClaimToHeader> claimHeaders) {
    return new JwtProvider(
        "origins-0",
        "test",
        "iss",
        List.of(),
        List.of(new JwtProvider.HeaderLocation("authorization", "Bearer ")),
        List.of(),
        List.of(),
        source,
        false,
        "x-payload",
        claimHeaders,
        Set.of("scope"));
  }

  private static AuthnResult authenticateWith(
      Authenticator authenticator, String token, HeaderWorkingSet headers) {
    return authenticator.authenticate("GET", headers, null, NOW);
  }

  private static HeaderWorkingSet bearer(String token) {
    return new HeaderWorkingSet(
        RequestHeaders.of(List.of(Map.entry("authorization", "Bearer " + token))));
  }

  @Test
  void aTokenFromTheCacheGivesTheSameClaimsAndHeadersAsWhenItWasVerified() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(),
            new JWTClaimsSet.Builder()
                .issuer("iss")
                .subject("alice")
                .claim("scope", "read write")
                .claim("group", Map.of("name", "admins"))
                .expirationTime(new Date((NOW + 100) * 1000))
                .build());
    jwt.sign(new RSASSASigner(key));
    String token = jwt.serialize();
    JwksSource keys = JwksSource.fixed(jwks(key), "test");
    List<ClaimToHeader> outputs =
        List.of(new ClaimToHeader("x-group", "group.name"), new ClaimToHeader("x-sub", "sub"));
    // A second authenticator over the same keys, as after a reload: the cache is the process's.
    Authenticator verifying = new Authenticator(List.of(provider(keys, outputs)));
    Authenticator reloaded = new Authenticator(List.of(provider(keys, outputs)));
    VerifiedTokenCache.Stats before = VerifiedTokenCache.shared().stats();

    HeaderWorkingSet firstHeaders = bearer(token);
    AuthnResult first = authenticateWith(verifying, token, firstHeaders);
    HeaderWorkingSet secondHeaders = bearer(token);
    AuthnResult second = authenticateWith(reloaded, token, secondHeaders);

    VerifiedTokenCache.Stats after = VerifiedTokenCache.shared().stats();
    assertThat(after.misses() - before.misses()).isEqualTo(1);
    assertThat(after.hits() - before.hits()).isEqualTo(1);
    assertThat(first.status()).isEqualTo(JwtStatus.OK);
    assertThat(second.status()).isEqualTo(JwtStatus.OK);
    assertThat(second.principal()).isEqualTo(first.principal()).isEqualTo("iss/alice");
    assertThat(second.claims().json()).isEqualTo(first.claims().json());
    assertThat(second.claims().json().get("scope").isArray()).isTrue();
    assertThat(secondHeaders.addedHeaders())
        .isEqualTo(firstHeaders.addedHeaders())
        .contains(
            Map.entry("x-group", "admins"),
            Map.entry("x-sub", "alice"),
            Map.entry("x-payload", token.split("\\.")[1]));
  }

  @Test
  void tokensAreKeyedByTheirDigest() {
    assertThat(TokenDigest.of("a.b.c")).isEqualTo(TokenDigest.of("a.b." + "c"));
    assertThat(TokenDigest.of("a.b.c")).isNotEqualTo(TokenDigest.of("a.b.d"));
    assertThat(TokenDigest.of("a.b.\u00e9")).isNull();
  }

  @Test
  void theSizeComesFromASystemProperty() {
    String old = System.getProperty(VerifiedTokenCache.SIZE_PROPERTY);
    try {
      System.setProperty(VerifiedTokenCache.SIZE_PROPERTY, "0");
      assertThat(VerifiedTokenCache.configuredSize()).isZero();
      System.setProperty(VerifiedTokenCache.SIZE_PROPERTY, " 1000 ");
      assertThat(VerifiedTokenCache.configuredSize()).isEqualTo(1000);
      System.setProperty(VerifiedTokenCache.SIZE_PROPERTY, "lots");
      assertThat(VerifiedTokenCache.configuredSize()).isEqualTo(VerifiedTokenCache.DEFAULT_SIZE);
    } finally {
      if (old == null) {
        System.clearProperty(VerifiedTokenCache.SIZE_PROPERTY);
      } else {
        System.setProperty(VerifiedTokenCache.SIZE_PROPERTY, old);
      }
    }
  }

  @Test
  void aCacheOfSizeZeroVerifiesEveryTime() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
    VerifiedTokenCache off = new VerifiedTokenCache(0);
    TokenDigest digest = TokenDigest.of(sign(key, NOW + 100));
    off.put(digest, new VerifiedTokenCache.Entry(digest, jwks(key), null, 0, 0));
    assertThat(off.get(digest)).isNull();
    assertThat(off.stats().maximumSize()).isZero();
  }

  private static VerifiedTokenCache.Entry entry(TokenDigest digest) {
    return new VerifiedTokenCache.Entry(digest, null, null, 0, 0, "p");
  }

  @Test
  void theTableHoldsAtMostItsSizeAndCountsWhatItDrops() {
    VerifiedTokenCache cache = new VerifiedTokenCache(1000);
    assertThat(cache.stats().maximumSize()).isEqualTo(1024); // rounded up to whole sets
    for (int i = 0; i < 5000; i++) {
      TokenDigest d = TokenDigest.of("t." + i + ".s");
      cache.put(d, entry(d));
      assertThat(cache.get(d)).isSameAs(cache.get(d)).isNotNull();
    }
    VerifiedTokenCache.Stats stats = cache.stats();
    assertThat(stats.size()).isEqualTo(1024);
    assertThat(stats.evictions()).isEqualTo(5000 - 1024);
    long held = 0;
    for (int i = 0; i < 5000; i++) {
      if (cache.get(TokenDigest.of("t." + i + ".s")) != null) {
        held++;
      }
    }
    assertThat(held).isEqualTo(1024);
  }

  @Test
  void aTokenUsedAgainOutlivesTokensSeenOnce() {
    VerifiedTokenCache cache = new VerifiedTokenCache(VerifiedTokenCache.WAYS);
    TokenDigest regular = TokenDigest.of("regular.client.token");
    cache.put(regular, entry(regular));
    for (int i = 0; i < 1000; i++) {
      assertThat(cache.get(regular)).as("after %d one-off tokens", i).isNotNull();
      TokenDigest once = TokenDigest.of("one.off." + i);
      cache.put(once, entry(once));
    }
  }

  @Test
  void anEntryIsOnlyEverReturnedForItsOwnDigest() {
    VerifiedTokenCache cache = new VerifiedTokenCache(VerifiedTokenCache.WAYS);
    TokenDigest a = TokenDigest.of("a.a.a");
    TokenDigest b = TokenDigest.of("b.b.b");
    cache.put(a, entry(b)); // a caller bug must not make b's entry answer for a
    assertThat(cache.get(a)).isNull();
    assertThat(cache.get(b)).isNull();
    cache.put(b, entry(b));
    assertThat(cache.get(b).digest()).isEqualTo(b);
    assertThat(cache.get(a)).isNull();
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

  @Test
  void cachedClaimsShareTheProvidersIssuerAndAudienceStrings() {
    JwtProvider provider =
        new JwtProvider(
            "origins-0",
            "test",
            "https://issuer.example",
            List.of("api", "web"),
            List.of(new JwtProvider.HeaderLocation("authorization", "Bearer ")),
            List.of(),
            List.of(),
            JwksSource.fixed(null, "test"),
            false,
            null,
            List.of(),
            Set.of());
    RegisteredClaims parsed =
        new RegisteredClaims(
            new String("https://issuer.example"),
            "alice",
            null,
            List.of(new String("web"), "other"),
            1,
            2,
            3);
    RegisteredClaims shared = VerifiedTokenCache.shareStrings(parsed, provider);
    assertThat(shared).isEqualTo(parsed);
    assertThat(shared.issuer()).isSameAs(provider.issuer());
    assertThat(shared.audiences().get(0)).isSameAs(provider.audiences().get(1));
    assertThat(shared.audiences().get(1)).isSameAs(parsed.audiences().get(1));
  }
}
