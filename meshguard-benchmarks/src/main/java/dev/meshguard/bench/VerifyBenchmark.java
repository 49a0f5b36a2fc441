package dev.meshguard.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.meshguard.jwt.CryptoProviders;
import dev.meshguard.jwt.JwkSet;
import dev.meshguard.jwt.Jwt;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.jwt.JwtVerifier;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parse and signature verification per algorithm, through meshguard's jwt package (JCA), with the
 * JDK's providers and with ACCP (AWS-LC) installed first. Each parameter set runs in its own fork,
 * so the {@code jdk} runs never see ACCP.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class VerifyBenchmark {
  @Param({"RS256", "PS256", "ES256", "ES384", "EdDSA", "HS256"})
  public String alg;

  @Param({"jdk", "accp"})
  public String provider;

  private String token;
  private JwkSet keys;
  private Jwt parsed;

  @Setup
  public void setUp() throws Exception {
    // Before any key exists, so keys and engines come from the provider measured.
    String active =
        provider.equals("accp") ? CryptoProviders.installPreferred() : CryptoProviders.active();
    if (active.startsWith("AmazonCorrettoCryptoProvider") != provider.equals("accp")) {
      throw new IllegalStateException(
          "asked for `" + provider + "`, have " + active + " (each provider needs its own fork)");
    }
    if (alg.equals("EdDSA")) {
      setUpEd25519();
      return;
    }
    JWK key;
    JWSSigner signer;
    switch (alg) {
      case "RS256", "PS256" -> {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("k").generate();
        key = rsa.toPublicJWK();
        signer = new RSASSASigner(rsa);
      }
      case "ES256", "ES384" -> {
        ECKey ec =
            new ECKeyGenerator(alg.equals("ES256") ? Curve.P_256 : Curve.P_384)
                .keyID("k")
                .generate();
        key = ec.toPublicJWK();
        signer = new ECDSASigner(ec);
      }
      case "HS256" -> {
        OctetSequenceKey oct = new OctetSequenceKeyGenerator(256).keyID("k").generate();
        key = oct;
        signer = new MACSigner(oct);
      }
      default -> throw new IllegalArgumentException(alg);
    }
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.parse(alg)).keyID("k").build(),
            new JWTClaimsSet.Builder().issuer("bench").subject("alice").build());
    jwt.sign(signer);
    token = jwt.serialize();
    keys = JwkSet.parse("{\"keys\":[" + key.toJSONString() + "]}");
    checkVerifies();
  }

  /** Nimbus signs Ed25519 only through Tink, which is not here: plain JCA does it instead. */
  private void setUpEd25519() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] spki = pair.getPublic().getEncoded();
    byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input =
        b64.encodeToString("{\"alg\":\"EdDSA\",\"kid\":\"k\"}".getBytes(UTF_8))
            + "."
            + b64.encodeToString("{\"iss\":\"bench\",\"sub\":\"alice\"}".getBytes(UTF_8));
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(pair.getPrivate());
    signer.update(input.getBytes(UTF_8));
    token = input + "." + b64.encodeToString(signer.sign());
    keys =
        JwkSet.parse(
            "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"k\",\"x\":\""
                + b64.encodeToString(x)
                + "\"}]}");
    checkVerifies();
  }

  private void checkVerifies() throws Exception {
    parsed = Jwt.parse(token);
    if (verify() != JwtStatus.OK) {
      throw new IllegalStateException("token does not verify");
    }
  }

  /** Parse and signature check: the work for a token not seen before. */
  @Benchmark
  public JwtStatus verify() throws Exception {
    return JwtVerifier.verifySignature(Jwt.parse(token), keys);
  }

  /** Parse alone (split, base64url, JSON of header and payload, Envoy's checks). */
  @Benchmark
  public Jwt parse() throws Exception {
    return Jwt.parse(token);
  }

  /** The signature check alone, on a token parsed once. */
  @Benchmark
  public JwtStatus signatureOnly() {
    return JwtVerifier.verifySignature(parsed, keys);
  }
}
