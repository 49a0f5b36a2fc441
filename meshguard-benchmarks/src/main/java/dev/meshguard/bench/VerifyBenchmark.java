package dev.meshguard.bench;

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
import dev.meshguard.jwt.JwkSet;
import dev.meshguard.jwt.Jwt;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.jwt.JwtVerifier;
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

/** Parse and signature verification per algorithm, through meshguard's jwt package (JCA). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class VerifyBenchmark {
  @Param({"RS256", "PS256", "ES256", "HS256"})
  public String alg;

  private String token;
  private JwkSet keys;

  @Setup
  public void setUp() throws Exception {
    JWK key;
    JWSSigner signer;
    switch (alg) {
      case "RS256", "PS256" -> {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("k").generate();
        key = rsa.toPublicJWK();
        signer = new RSASSASigner(rsa);
      }
      case "ES256" -> {
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("k").generate();
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
    if (verify() != JwtStatus.OK) {
      throw new IllegalStateException("token does not verify");
    }
  }

  @Benchmark
  public JwtStatus verify() throws Exception {
    return JwtVerifier.verifySignature(Jwt.parse(token), keys);
  }
}
