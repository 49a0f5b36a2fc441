package dev.meshguard.jwt;

import static dev.meshguard.jwt.TestKeys.OTHER;
import static dev.meshguard.jwt.TestKeys.SIGNING;
import static dev.meshguard.jwt.TestKeys.b64;
import static dev.meshguard.jwt.TestKeys.header;
import static dev.meshguard.jwt.TestKeys.jwks;
import static dev.meshguard.jwt.TestKeys.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.jwt.TestKeys.Alg;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The same scenarios for each of the 13 algorithms, keys generated at test time. */
class JwtVerifierAlgorithmTest {
  private static final long NOW = 1_750_000_000L;
  private static final String KID = "key-1";
  private static final List<String> AUDIENCES = List.of("https://api.example.com/");

  private static Map<String, Object> claims() {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", "https://issuer.example.com");
    claims.put("sub", "user-1");
    claims.put("aud", "api.example.com");
    claims.put("iat", NOW - 10);
    claims.put("exp", NOW + 3600);
    return claims;
  }

  private static String tokenFor(Alg alg, Map<String, Object> claims) {
    return token(alg, SIGNING.get(alg), header(alg.name(), KID), TestKeys.json(claims));
  }

  private static JwkSet keysFor(Alg alg) throws JwtException {
    return JwkSet.parse(jwks(SIGNING.get(alg).jwk(KID, alg.name())));
  }

  private static JwtStatus verify(String token, JwkSet keys) throws JwtException {
    return JwtVerifier.verify(Jwt.parse(token), keys, AUDIENCES, NOW);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void validTokenVerifies(Alg alg) throws JwtException {
    Jwt jwt = Jwt.parse(tokenFor(alg, claims()));

    assertThat(jwt.algorithm()).isEqualTo(alg.name());
    assertThat(JwtVerifier.verify(jwt, keysFor(alg), AUDIENCES, NOW)).isEqualTo(JwtStatus.OK);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void validTokenVerifiesWithKeyWithoutKidOrAlg(Alg alg) throws JwtException {
    JwkSet keys = JwkSet.parse(jwks(SIGNING.get(alg).jwk(null, null)));

    assertThat(verify(tokenFor(alg, claims()), keys)).isEqualTo(JwtStatus.OK);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void wrongKeyFails(Alg alg) throws JwtException {
    JwkSet otherKeys = JwkSet.parse(jwks(OTHER.get(alg).jwk(KID, alg.name())));

    assertThat(verify(tokenFor(alg, claims()), otherKeys))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void rightKeyAfterWrongKeysVerifies(Alg alg) throws JwtException {
    JwkSet keys =
        JwkSet.parse(jwks(OTHER.get(alg).jwk(null, null), SIGNING.get(alg).jwk(KID, alg.name())));

    assertThat(verify(tokenFor(alg, claims()), keys)).isEqualTo(JwtStatus.OK);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void tamperedPayloadFails(Alg alg) throws JwtException {
    String token = tokenFor(alg, claims());
    Map<String, Object> forged = claims();
    forged.put("sub", "admin");
    String[] parts = token.split("\\.");
    String tampered = parts[0] + "." + b64(TestKeys.json(forged)) + "." + parts[2];

    assertThat(verify(tampered, keysFor(alg))).isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void tamperedSignatureFails(Alg alg) throws JwtException {
    String token = tokenFor(alg, claims());
    int dot = token.lastIndexOf('.');
    byte[] signature = Base64Url.decode(token.substring(dot + 1));
    signature[signature.length / 3] ^= 0x01;
    String tampered = token.substring(0, dot + 1) + b64(signature);

    assertThat(verify(tampered, keysFor(alg))).isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void expiredTokenFailsBeforeTheSignatureIsChecked(Alg alg) throws JwtException {
    Map<String, Object> claims = claims();
    claims.put("exp", NOW - 61);
    JwkSet wrongKeys = JwkSet.parse(jwks(OTHER.get(alg).jwk(KID, alg.name())));

    assertThat(verify(tokenFor(alg, claims), keysFor(alg))).isEqualTo(JwtStatus.JWT_EXPIRED);
    assertThat(verify(tokenFor(alg, claims), wrongKeys)).isEqualTo(JwtStatus.JWT_EXPIRED);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void expiryWithinTheClockSkewIsAccepted(Alg alg) throws JwtException {
    Map<String, Object> claims = claims();
    claims.put("exp", NOW - 60);

    assertThat(verify(tokenFor(alg, claims), keysFor(alg))).isEqualTo(JwtStatus.OK);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void notYetValidTokenFails(Alg alg) throws JwtException {
    Map<String, Object> claims = claims();
    claims.put("nbf", NOW + 61);

    assertThat(verify(tokenFor(alg, claims), keysFor(alg))).isEqualTo(JwtStatus.JWT_NOT_YET_VALID);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void notBeforeWithinTheClockSkewIsAccepted(Alg alg) throws JwtException {
    Map<String, Object> claims = claims();
    claims.put("nbf", NOW + 60);

    assertThat(verify(tokenFor(alg, claims), keysFor(alg))).isEqualTo(JwtStatus.OK);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void wrongAudienceFailsBeforeTheSignatureIsChecked(Alg alg) throws JwtException {
    Map<String, Object> claims = claims();
    claims.put("aud", List.of("other.example.com", "http://api.example.com.evil"));
    JwkSet wrongKeys = JwkSet.parse(jwks(OTHER.get(alg).jwk(KID, alg.name())));

    assertThat(verify(tokenFor(alg, claims), keysFor(alg)))
        .isEqualTo(JwtStatus.JWT_AUDIENCE_NOT_ALLOWED);
    assertThat(verify(tokenFor(alg, claims), wrongKeys))
        .isEqualTo(JwtStatus.JWT_AUDIENCE_NOT_ALLOWED);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void unknownKidFindsNoKey(Alg alg) throws JwtException {
    String token =
        token(alg, SIGNING.get(alg), header(alg.name(), "unknown-kid"), TestKeys.json(claims()));

    assertThat(verify(token, keysFor(alg))).isEqualTo(JwtStatus.JWKS_KID_ALG_MISMATCH);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void tokenWithoutKidTriesKeysWithKid(Alg alg) throws JwtException {
    String token = token(alg, SIGNING.get(alg), header(alg.name(), null), TestKeys.json(claims()));

    assertThat(verify(token, keysFor(alg))).isEqualTo(JwtStatus.OK);
  }

  @ParameterizedTest
  @EnumSource(Alg.class)
  void keyWithAnotherAlgIsSkipped(Alg alg) throws JwtException {
    Alg other =
        switch (alg) {
          case EdDSA -> Alg.ES256; // an OKP key can only say EdDSA
          default -> Alg.values()[alg.ordinal() % 3 == 0 ? alg.ordinal() + 1 : alg.ordinal() - 1];
        };
    // The key that signed, announced with another alg; an EC key's alg must fit its curve, so
    // there the other curve's key stands in.
    TestKeys.TestKey key =
        alg.kty().equals(other.kty()) && !alg.kty().equals("EC")
            ? SIGNING.get(alg)
            : SIGNING.get(other);
    JwkSet keys = JwkSet.parse(jwks(key.jwk(KID, other.name())));

    assertThat(verify(tokenFor(alg, claims()), keys)).isEqualTo(JwtStatus.JWKS_KID_ALG_MISMATCH);
  }
}
