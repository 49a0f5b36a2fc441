package dev.meshguard.jwt;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed certificates in the PEM form of Google's X.509 key maps, made at test time. */
final class TestCertificates {
  private TestCertificates() {}

  static String selfSignedRsaPem() {
    return pem(keyPair("RSA"), "SHA256withRSA");
  }

  static String selfSignedEcPem() {
    return pem(keyPair("EC"), "SHA256withECDSA");
  }

  /**
   * A certificate for an RSA public key with this modulus (e = 65537), signed by a throwaway
   * 2048-bit key: lets a test hand out key sizes no key generator makes.
   */
  static String rsaPemWithModulus(BigInteger modulus) {
    try {
      X500Name name = new X500Name("CN=meshguard test");
      long now = System.currentTimeMillis();
      SubjectPublicKeyInfo subjectKey =
          new SubjectPublicKeyInfo(
              new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
              new RSAPublicKey(modulus, BigInteger.valueOf(65537)));
      X509CertificateHolder holder =
          new X509v3CertificateBuilder(
                  name,
                  BigInteger.valueOf(now),
                  new Date(now - 60_000),
                  new Date(now + 86_400_000),
                  name,
                  subjectKey)
              .build(
                  new JcaContentSignerBuilder("SHA256withRSA").build(keyPair("RSA").getPrivate()));
      return pem(holder);
    } catch (OperatorCreationException | java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair(String algorithm) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (algorithm.equals("EC")) {
        generator.initialize(new ECGenParameterSpec("secp256r1"));
      } else {
        generator.initialize(2048);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(KeyPair pair, String signatureAlgorithm) {
    try {
      X500Name name = new X500Name("CN=meshguard test");
      long now = System.currentTimeMillis();
      X509CertificateHolder holder =
          new JcaX509v3CertificateBuilder(
                  name,
                  BigInteger.valueOf(now),
                  new Date(now - 60_000),
                  new Date(now + 86_400_000),
                  name,
                  pair.getPublic())
              .build(new JcaContentSignerBuilder(signatureAlgorithm).build(pair.getPrivate()));
      return pem(holder);
    } catch (OperatorCreationException | java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(X509CertificateHolder holder) throws java.io.IOException {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(holder.getEncoded());
    return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
  }
}
