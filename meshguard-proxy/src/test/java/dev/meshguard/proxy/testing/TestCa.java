package dev.meshguard.proxy.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A private CA made at test time (P-256, one day) that issues server and client certificates. */
public final class TestCa {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  private final KeyPair keys;
  private final X509Certificate certificate;

  /** A certificate and its key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {
    /** Writes `NAME.crt` and `NAME.key` (PKCS#8) under {@code dir}; returns the certificate's. */
    public Path writePem(Path dir, String name) throws IOException {
      Path crt = dir.resolve(name + ".crt");
      Files.writeString(crt, pem(certificate), StandardCharsets.US_ASCII);
      StringWriter key = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(key)) {
        w.writeObject(new JcaPKCS8Generator(this.key, null));
      }
      Files.writeString(dir.resolve(name + ".key"), key.toString(), StandardCharsets.US_ASCII);
      return crt;
    }
  }

  private TestCa(KeyPair keys, X509Certificate certificate) {
    this.keys = keys;
    this.certificate = certificate;
  }

  public static TestCa create(String name) throws GeneralSecurityException, IOException {
    KeyPair keys = ecKeys();
    X500Name subject = new X500Name("CN=" + name);
    X509v3CertificateBuilder b = builder(subject, subject, keys);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new TestCa(keys, sign(b, keys));
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** The CA certificate as `NAME.pem` under {@code dir}. */
  public Path writePem(Path dir, String name) throws IOException {
    Path file = dir.resolve(name + ".pem");
    Files.writeString(file, pem(certificate), StandardCharsets.US_ASCII);
    return file;
  }

  /** A server certificate for these DNS names and IP addresses. */
  public Issued server(List<String> dns, List<String> ips)
      throws GeneralSecurityException, IOException {
    return issue(dns.isEmpty() ? "server" : dns.get(0), dns, ips, KeyPurposeId.id_kp_serverAuth);
  }

  /** A client certificate, optionally with URI SANs (e.g. a SPIFFE ID). */
  public Issued client(String name, List<String> uris)
      throws GeneralSecurityException, IOException {
    KeyPair k = ecKeys();
    X509v3CertificateBuilder b =
        builder(new X500Name("CN=" + caName()), new X500Name("CN=" + name), k);
    if (!uris.isEmpty()) {
      GeneralName[] names = new GeneralName[uris.size()];
      for (int i = 0; i < names.length; i++) {
        names[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uris.get(i));
      }
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    }
    b.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    return new Issued(sign(b, keys), k.getPrivate());
  }

  private Issued issue(String cn, List<String> dns, List<String> ips, KeyPurposeId purpose)
      throws GeneralSecurityException, IOException {
    KeyPair k = ecKeys();
    X509v3CertificateBuilder b =
        builder(new X500Name("CN=" + caName()), new X500Name("CN=" + cn), k);
    GeneralName[] names = new GeneralName[dns.size() + ips.size()];
    int i = 0;
    for (String d : dns) {
      names[i++] = new GeneralName(GeneralName.dNSName, d);
    }
    for (String ip : ips) {
      names[i++] = new GeneralName(GeneralName.iPAddress, ip);
    }
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    return new Issued(sign(b, keys), k.getPrivate());
  }

  private String caName() {
    String dn = certificate.getSubjectX500Principal().getName();
    return dn.startsWith("CN=") ? dn.substring(3) : dn;
  }

  private static String pem(Object o) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(text)) {
      w.writeObject(o);
    }
    return text.toString();
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair k) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject,
        k.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }
}
