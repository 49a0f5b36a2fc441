package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshguard.cli.token.JwsAlgorithm;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * `token keygen | sign | decode | verify`: what `sign` makes, `check` (the engine) and `verify`
 * accept, for every algorithm; and the key formats people have.
 */
class TokenCommandTest {
  static final long NOW = 1_800_000_000L;
  static final String ISSUER = "https://issuer.example";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** The files of one generated key. */
  record KeyFiles(JwsAlgorithm alg, Path privateKey, Path jwks) {}

  KeyFiles keygen(JwsAlgorithm alg, String kid) {
    Path key = dir.resolve(kid + (alg.isPublicKey() ? ".pem" : ".jwk"));
    Path jwks = dir.resolve(kid + "-jwks.json");
    Cli.Result r =
        Cli.run(
            "token",
            "keygen",
            "--alg",
            alg.name(),
            "--kid",
            kid,
            "--private",
            key.toString(),
            "--jwks",
            jwks.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains(alg.name() + " key `" + kid + "`");
    return new KeyFiles(alg, key, jwks);
  }

  static String sign(Path key, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "token",
                "sign",
                "--key",
                key.toString(),
                "--iss",
                ISSUER,
                "--sub",
                "alice",
                "--aud",
                "api.example",
                "--now",
                Long.toString(NOW),
                "--exp-in",
                "1h"));
    args.addAll(List.of(more));
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r.out().strip();
  }

  /** A RequestAuthentication trusting {@code jwks} and a policy that wants a verified token. */
  Path config(Path jwks) throws Exception {
    String keys = Files.readString(jwks).strip();
    Path config = dir.resolve("policies-" + jwks.getFileName() + ".yaml");
    Files.writeString(
        config,
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: foo}
        spec:
          jwtRules:
          - issuer: %s
            audiences: [api.example]
            jwks: '%s'
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: require-jwt, namespace: foo}
        spec:
          rules:
          - from:
            - source: {requestPrincipals: ["*"]}
        """
            .formatted(ISSUER, keys));
    return config;
  }

  static JsonNode check(Path config, String token) throws Exception {
    Cli.Result r =
        Cli.run(
            "check",
            "--config",
            config.toString(),
            "--namespace",
            "foo",
            "--path",
            "/headers",
            "--now",
            Long.toString(NOW + 60),
            "-o",
            "json",
            "--header",
            "Authorization: Bearer " + token);
    assertThat(r.exitCode()).as(r.toString()).isIn(0, 1);
    return JSON.readTree(r.out());
  }

  @ParameterizedTest
  @EnumSource(JwsAlgorithm.class)
  void signedTokensPassCheckAndVerify(JwsAlgorithm alg) throws Exception {
    KeyFiles key = keygen(alg, "k-" + alg.name().toLowerCase(java.util.Locale.ROOT));
    // a PEM file names neither kid nor alg: say them, as with Istio's gen-jwt.py
    String token =
        sign(
            key.privateKey(),
            "--alg",
            alg.name(),
            "--kid",
            key.privateKey().getFileName().toString().replaceAll("\\.(pem|jwk)$", ""));
    Path config = config(key.jwks());

    JsonNode allowed = check(config, token);
    assertThat(allowed.path("status").asInt()).as(allowed.toString()).isEqualTo(200);
    assertThat(allowed.path("principal").asText()).isEqualTo(ISSUER + "/alice");
    JsonNode header = JSON.readTree(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[0]));
    assertThat(header.path("alg").asText()).isEqualTo(alg.name());
    assertThat(header.path("kid").asText())
        .isEqualTo("k-" + alg.name().toLowerCase(java.util.Locale.ROOT));

    JsonNode tampered = check(config, DemoCommand.tamper(token));
    assertThat(tampered.path("status").asInt()).isEqualTo(401);
    assertThat(tampered.path("jwt").asText())
        .isIn("Jwt verification fails", "Jwt ED25519 signature is wrong length");

    Cli.Result verified =
        Cli.run(
            "token",
            "verify",
            token,
            "--jwks",
            key.jwks().toString(),
            "--issuer",
            ISSUER,
            "--audience",
            "api.example",
            "--now",
            Long.toString(NOW));
    assertThat(verified.exitCode()).as(verified.toString()).isZero();
    assertThat(verified.out()).contains("OK").contains(ISSUER + "/alice");
  }

  @Test
  void verifyAnswersWithEnvoysStatusTexts() throws Exception {
    KeyFiles key = keygen(JwsAlgorithm.ES256, "k1");
    KeyFiles other = keygen(JwsAlgorithm.ES256, "k2");
    String token = sign(key.privateKey(), "--kid", "k1");
    Map<List<String>, String> cases =
        Map.of(
            List.of("--now", Long.toString(NOW + 3600 + 61)), "Jwt is expired",
            List.of("--now", Long.toString(NOW - 61), "--issuer", ISSUER), "OK: verified",
            List.of("--issuer", "https://other.example"), "Jwt issuer is not configured",
            List.of("--audience", "other.example"), "Audiences in Jwt are not allowed");
    for (Map.Entry<List<String>, String> c : cases.entrySet()) {
      List<String> args =
          new ArrayList<>(List.of("token", "verify", token, "--jwks", key.jwks().toString()));
      if (!c.getKey().contains("--now")) {
        args.addAll(List.of("--now", Long.toString(NOW)));
      }
      args.addAll(c.getKey());
      Cli.Result r = Cli.run(args.toArray(String[]::new));
      assertThat(r.out().strip()).as("%s: %s", c.getKey(), r).startsWith(c.getValue());
      assertThat(r.exitCode()).isEqualTo(c.getValue().startsWith("OK") ? 0 : 1);
    }
    // the same kid in another key set: the signature fails; no matching kid: Envoy's kid text
    Cli.Result wrongKey =
        Cli.run("token", "verify", token, "--jwks", other.jwks().toString(), "--now", "" + NOW);
    assertThat(wrongKey.out().strip())
        .isEqualTo("Jwks doesn't have key to match kid or alg from Jwt");
    String k2Token = sign(key.privateKey(), "--kid", "k2");
    Cli.Result badSignature =
        Cli.run("token", "verify", k2Token, "--jwks", other.jwks().toString(), "--now", "" + NOW);
    assertThat(badSignature.out().strip()).isEqualTo("Jwt verification fails");
    assertThat(badSignature.exitCode()).isEqualTo(1);
    Cli.Result garbage = Cli.run("token", "verify", "a.b", "--jwks", key.jwks().toString());
    assertThat(garbage.out().strip())
        .isEqualTo(
            "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections");
    assertThat(garbage.exitCode()).isEqualTo(1);
  }

  @Test
  void readsTraditionalOpenSslKeysAndJwks() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp384r1"));
    for (KeyPair pair : List.of(rsa.generateKeyPair(), ec.generateKeyPair())) {
      String pem = traditionalPem(pair);
      assertThat(pem).containsPattern("BEGIN (RSA|EC) PRIVATE KEY");
      Path key = dir.resolve("traditional-" + pair.getPublic().getAlgorithm() + ".pem");
      Files.writeString(key, pem);
      String token = sign(key);
      boolean isRsa = pair.getPublic().getAlgorithm().equals("RSA");
      assertThat(
              JSON.readTree(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[0]))
                  .path("alg")
                  .asText())
          .isEqualTo(isRsa ? "RS256" : "ES384");
      Path jwks = dir.resolve("traditional-" + pair.getPublic().getAlgorithm() + "-jwks.json");
      Files.writeString(jwks, publicJwks(pair));
      Cli.Result r =
          Cli.run("token", "verify", token, "--jwks", jwks.toString(), "--now", "" + NOW);
      assertThat(r.exitCode()).as(r.toString()).isZero();
    }
    // a private JWK, and a JWKS holding one, as keygen writes them
    KeyFiles jwk = keygen(JwsAlgorithm.EdDSA, "ed");
    Path privateJwk = dir.resolve("ed.jwk");
    Cli.Result r =
        Cli.run(
            "token",
            "keygen",
            "--alg",
            "PS512",
            "--kid",
            "ps",
            "--private",
            privateJwk.toString().replace("ed.jwk", "ps.json"),
            "--jwks",
            dir.resolve("ps-jwks.json").toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    Path psKey = dir.resolve("ps.json");
    Path psJwks = dir.resolve("ps-key-set.json");
    Files.writeString(psJwks, "{\"keys\":[" + Files.readString(psKey).strip() + "]}");
    for (Path key : List.of(psKey, psJwks)) {
      String token = sign(key);
      assertThat(
              new String(
                  java.util.Base64.getUrlDecoder().decode(token.split("\\.")[0]),
                  StandardCharsets.UTF_8))
          .contains("\"alg\":\"PS512\"")
          .contains("\"kid\":\"ps\"");
      Cli.Result v =
          Cli.run(
              "token",
              "verify",
              token,
              "--jwks",
              dir.resolve("ps-jwks.json").toString(),
              "--now",
              "" + NOW);
      assertThat(v.exitCode()).as(v.toString()).isZero();
    }
    assertThat(jwk.jwks()).exists();
  }

  /**
   * OpenSSL's traditional forms, written by BouncyCastle: PKCS#1 `RSA PRIVATE KEY`, and SEC1 `EC
   * PRIVATE KEY` with the named curve (as `openssl ecparam -genkey` writes it).
   */
  private static String traditionalPem(KeyPair pair) throws Exception {
    StringWriter pem = new StringWriter();
    if (pair.getPrivate() instanceof java.security.interfaces.ECPrivateKey ec) {
      org.bouncycastle.asn1.sec.ECPrivateKey sec1 =
          new org.bouncycastle.asn1.sec.ECPrivateKey(
              384,
              ec.getS(),
              new org.bouncycastle.asn1.DERBitString(
                  org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(
                          pair.getPublic().getEncoded())
                      .getPublicKeyData()
                      .getBytes()),
              new org.bouncycastle.asn1.x9.X962Parameters(
                  org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp384r1));
      try (org.bouncycastle.util.io.pem.PemWriter w =
          new org.bouncycastle.util.io.pem.PemWriter(pem)) {
        w.writeObject(
            new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
      }
    } else {
      try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
        w.writeObject(pair);
      }
    }
    return pem.toString();
  }

  private static String publicJwks(KeyPair pair) {
    com.nimbusds.jose.jwk.JWK jwk =
        pair.getPublic() instanceof java.security.interfaces.RSAPublicKey r
            ? new com.nimbusds.jose.jwk.RSAKey.Builder(r).build()
            : new com.nimbusds.jose.jwk.ECKey.Builder(
                    com.nimbusds.jose.jwk.Curve.P_384,
                    (java.security.interfaces.ECPublicKey) pair.getPublic())
                .build();
    return "{\"keys\":[" + jwk.toJSONString() + "]}";
  }

  @Test
  void refusesKeysThatCannotSign() throws Exception {
    KeyFiles rsa = keygen(JwsAlgorithm.RS256, "r");
    Cli.Result wrongAlg =
        Cli.run("token", "sign", "--key", rsa.privateKey().toString(), "--alg", "ES256");
    assertThat(wrongAlg.exitCode()).isEqualTo(Main.EXIT_USAGE);
    assertThat(wrongAlg.err()).contains("cannot sign ES256 with an RSA key");
    Cli.Result publicOnly = Cli.run("token", "sign", "--key", rsa.jwks().toString());
    assertThat(publicOnly.exitCode()).isEqualTo(Main.EXIT_USAGE);
    assertThat(publicOnly.err()).contains("holds 0 private keys");
    Cli.Result unknown =
        Cli.run("token", "keygen", "--alg", "RS1", "--private", "x.pem", "--jwks", "y.json");
    assertThat(unknown.exitCode()).isEqualTo(Main.EXIT_USAGE);
    assertThat(unknown.err())
        .contains(
            "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, HS256, HS384, HS512, EdDSA");
    Cli.Result again =
        Cli.run(
            "token",
            "keygen",
            "--alg",
            "RS256",
            "--private",
            rsa.privateKey().toString(),
            "--jwks",
            dir.resolve("new.json").toString());
    assertThat(again.exitCode()).isEqualTo(Main.EXIT_USAGE);
    assertThat(again.err()).contains("exists (--force overwrites it)");
    assertThat(dir.resolve("new.json")).doesNotExist();
  }

  @Test
  void decodeShowsHeaderPayloadAndTimesWithoutVerifying() throws Exception {
    KeyFiles key = keygen(JwsAlgorithm.HS256, "h");
    String token = sign(key.privateKey(), "--claims", "{\"groups\":[\"g1\"]}");
    Cli.Result r = Cli.run("token", "decode", token, "--now", Long.toString(NOW + 600));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("\"alg\" : \"HS256\"")
        .contains("\"groups\" : [ \"g1\" ]")
        .contains("exp: " + (NOW + 3600) + "  2027-01-15T09:00:00Z (in 50m)")
        .contains("iat: " + NOW + "  2027-01-15T08:00:00Z (10m ago)");
    Cli.Result json = Cli.run("token", "decode", token, "-o", "json", "--now", "" + NOW);
    JsonNode obj = JSON.readTree(json.out());
    assertThat(obj.path("payload").path("sub").asText()).isEqualTo("alice");
    assertThat(obj.path("envoyParse").asText()).isEqualTo("OK");

    Cli.Result garbage = Cli.run("token", "decode", "not-a-token");
    assertThat(garbage.exitCode()).isEqualTo(Main.EXIT_USAGE);
    assertThat(garbage.err())
        .contains(
            "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections");
    Cli.Result badHeader = Cli.run("token", "decode", "e$$.e30.c2ln");
    assertThat(badHeader.exitCode()).isEqualTo(Main.EXIT_USAGE);
    assertThat(badHeader.err()).contains("Jwt header is an invalid Base64url encoded");
  }
}
