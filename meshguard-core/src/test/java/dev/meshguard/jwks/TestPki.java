package dev.meshguard.jwks;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA and server certificates, made at test time (P-256, one day). */
final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(1);

  final KeyPair caKeys;
  final X509Certificate caCert;

  private TestPki(KeyPair caKeys, X509Certificate caCert) {
    this.caKeys = caKeys;
    this.caCert = caCert;
  }

  static TestPki create(String caName) throws GeneralSecurityException {
    KeyPair keys = ecKeys();
    X500Name name = new X500Name("CN=" + caName);
    X509v3CertificateBuilder builder = builder(name, name, keys);
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    return new TestPki(keys, sign(builder, keys));
  }

  /** A server certificate with DNS and IP subject alt names, and a TLS context serving it. */
  Server issue(List<String> dnsNames, List<String> ipAddresses) throws GeneralSecurityException {
    KeyPair keys = ecKeys();
    X509v3CertificateBuilder builder =
        builder(
            new X500Name(caCert.getSubjectX500Principal().getName()),
            new X500Name("CN=" + (dnsNames.isEmpty() ? "server" : dnsNames.get(0))),
            keys);
    GeneralName[] names = new GeneralName[dnsNames.size() + ipAddresses.size()];
    int i = 0;
    for (String dns : dnsNames) {
      names[i++] = new GeneralName(GeneralName.dNSName, dns);
    }
    for (String ip : ipAddresses) {
      names[i++] = new GeneralName(GeneralName.iPAddress, ip);
    }
    try {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    X509Certificate cert = sign(builder, caKeys);
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    char[] password = "test".toCharArray();
    store.setKeyEntry("server", keys.getPrivate(), password, new X509Certificate[] {cert, caCert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return new Server(cert, context);
  }

  /** The CA certificate as a PEM file under {@code dir}. */
  Path writeCaPem(Path dir) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(caCert);
    }
    Path file = Files.createTempFile(dir, "ca-", ".pem");
    Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
    return file;
  }

  record Server(X509Certificate certificate, SSLContext context) {}

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws GeneralSecurityException {
    try {
      ContentSigner contentSigner =
          new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }
}
