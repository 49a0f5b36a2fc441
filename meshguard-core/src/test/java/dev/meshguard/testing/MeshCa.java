package dev.meshguard.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
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

/**
 * A throwaway certificate authority made at test time (P-256, valid one day), issuing what a mesh
 * CA issues: workload certificates whose identity is a SPIFFE URI SAN, usable both as a client
 * certificate and as a server certificate. Shared by every module's tests (meshguard-core's
 * test-jar), so no module writes its own.
 */
public final class MeshCa {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());
  private static final char[] PASSWORD = "test".toCharArray();

  private final KeyPair keys;
  private final X509Certificate cert;

  private MeshCa(KeyPair keys, X509Certificate cert) {
    this.keys = keys;
    this.cert = cert;
  }

  /** A new self-signed root named {@code CN=<name>}. */
  public static MeshCa create(String name) {
    KeyPair keys = ecKeys();
    X500Name subject = new X500Name("CN=" + name);
    X509v3CertificateBuilder b = builder(subject, subject, keys);
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new MeshCa(keys, sign(b, keys));
  }

  public X509Certificate certificate() {
    return cert;
  }

  /** A workload identity: {@code spiffe://TD/ns/NS/sa/SA} in one URI SAN, as Istio's CA issues. */
  public Issued issueSpiffe(String spiffeUri) {
    return issue("", List.of(spiffeUri), List.of());
  }

  /**
   * A certificate with exactly these names (any of them may be empty).
   *
   * @param subjectCn the subject's CN, or "" for an empty subject
   */
  public Issued issue(String subjectCn, List<String> uriSans, List<String> dnsSans) {
    List<GeneralName> names = new ArrayList<>();
    uriSans.forEach(u -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, u)));
    dnsSans.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    return issue(subjectCn, names);
  }

  private Issued issue(String subjectCn, List<GeneralName> names) {
    KeyPair leafKeys = ecKeys();
    X500Name subject =
        subjectCn.isEmpty()
            ? new X500Name(new org.bouncycastle.asn1.x500.RDN[0])
            : new X500Name("CN=" + subjectCn);
    X509v3CertificateBuilder b =
        builder(new X500Name(cert.getSubjectX500Principal().getName()), subject, leafKeys);
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      if (!names.isEmpty()) {
        // an empty subject makes the SANs critical (RFC 5280 4.2.1.6)
        b.addExtension(
            Extension.subjectAlternativeName,
            subjectCn.isEmpty(),
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Issued(sign(b, keys), leafKeys.getPrivate(), cert);
  }

  /**
   * A server certificate with these DNS names and IP addresses as subject alt names (CN the first
   * DNS name), for an HTTPS test server: see {@link Issued#serverContext()}.
   */
  public Issued issueServer(List<String> dnsNames, List<String> ipAddresses) {
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    return issue(dnsNames.isEmpty() ? "server" : dnsNames.get(0), names);
  }

  /** The CA certificate as a PEM file in {@code dir}. */
  public Path writeCaPem(Path dir) {
    return write(dir, "ca-", pem(cert));
  }

  /** A JDK TLS context that trusts only this CA and presents no certificate. */
  public SSLContext clientContext() {
    return context(null, cert);
  }

  private static SSLContext context(Issued identity, X509Certificate trusted) {
    return context(identity, trusted, false);
  }

  private static SSLContext context(Issued identity, X509Certificate trusted, boolean server) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", trusted);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManagerFactory kmf = null;
      if (identity != null) {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry(
            "me",
            identity.key(),
            PASSWORD,
            new X509Certificate[] {identity.certificate(), identity.issuer});
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, PASSWORD);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          kmf == null
              ? null
              : server
                  ? kmf.getKeyManagers()
                  : new KeyManager[] {
                    new AlwaysPresent((X509ExtendedKeyManager) kmf.getKeyManagers()[0])
                  },
          tmf.getTrustManagers(),
          null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Presents the one certificate whatever CAs the server names in its request, as curl and Envoy do
   * (the JDK's own key manager would send none to a server that names another CA).
   */
  private static final class AlwaysPresent extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager keys;

    AlwaysPresent(X509ExtendedKeyManager keys) {
      this.keys = keys;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return "me";
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine e) {
      return "me";
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {"me"};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return keys.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return keys.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return keys.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return keys.getPrivateKey(alias);
    }
  }

  /** A certificate this CA issued, with its private key. */
  public final class Issued {
    private final X509Certificate certificate;
    private final PrivateKey key;
    private final X509Certificate issuer;

    private Issued(X509Certificate certificate, PrivateKey key, X509Certificate issuer) {
      this.certificate = certificate;
      this.key = key;
      this.issuer = issuer;
    }

    public X509Certificate certificate() {
      return certificate;
    }

    public PrivateKey key() {
      return key;
    }

    /** A JDK TLS context presenting this certificate and trusting the CA. */
    public SSLContext clientContext() {
      return context(this, issuer);
    }

    /** A JDK TLS context for a server presenting this certificate (its chain ends at the CA). */
    public SSLContext serverContext() {
      return context(this, issuer, true);
    }

    /** A JDK TLS context presenting this certificate and trusting {@code server}'s CA. */
    public SSLContext clientContextTrusting(MeshCa server) {
      return context(this, server.cert);
    }

    /** The certificate (then the CA) as a PEM chain file in {@code dir}. */
    public Path writeChainPem(Path dir) {
      return write(dir, "cert-", pem(certificate) + pem(issuer));
    }

    /** The private key as an unencrypted PKCS#8 PEM file in {@code dir}. */
    public Path writeKeyPem(Path dir) {
      try {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
          w.writeObject(new JcaPKCS8Generator(key, null));
        }
        return write(dir, "key-", text.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static String pem(X509Certificate c) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(text)) {
      w.writeObject(c);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  private static Path write(Path dir, String prefix, String text) {
    try {
      Path file = Files.createTempFile(dir, prefix, ".pem");
      Files.writeString(file, text, StandardCharsets.US_ASCII);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static KeyPair ecKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
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

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
