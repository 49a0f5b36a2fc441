package dev.meshguard.jwks;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/** TLS contexts for key fetching: trust anchors, and the subject-alt-name check. */
final class TlsSupport {
  private static final int MAX_CA_FILE_BYTES = 1 << 20;

  private TlsSupport() {}

  /**
   * A client context trusting the JVM's default CAs plus those in {@code tls.caCertificates()}, or
   * trusting anything when {@code tls.insecureSkipVerify()}. The CA file is read on every call, so
   * a rotated file is picked up at the next fetch.
   */
  static SSLContext clientContext(Route.Tls tls) throws FetchException {
    try {
      TrustManager trust =
          tls.insecureSkipVerify() ? new TrustAll() : trustManager(tls.caCertificates());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trust}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw FetchException.io("tls setup failed", e);
    }
  }

  /**
   * The trust of {@link #clientContext}: the JVM's CAs plus {@code tls.caCertificates()}, or
   * anything with {@code insecureSkipVerify} (the CA file is read now).
   */
  static X509TrustManager trustManager(Route.Tls tls) throws FetchException {
    try {
      return tls.insecureSkipVerify() ? new TrustAll() : trustManager(tls.caCertificates());
    } catch (GeneralSecurityException e) {
      throw FetchException.io("tls setup failed", e);
    }
  }

  private static X509TrustManager trustManager(String caFile)
      throws GeneralSecurityException, FetchException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException("empty key store", e);
    }
    int i = 0;
    for (X509Certificate ca : JvmTrust.ISSUERS) {
      store.setCertificateEntry("jvm-" + i++, ca);
    }
    if (caFile != null) {
      for (Certificate ca : readPem(caFile)) {
        store.setCertificateEntry("ca-" + i++, ca);
      }
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    for (TrustManager tm : factory.getTrustManagers()) {
      if (tm instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new GeneralSecurityException("no x509 trust manager");
  }

  private static Collection<? extends Certificate> readPem(String file) throws FetchException {
    Path path = Path.of(file);
    byte[] bytes;
    try {
      if (Files.size(path) > MAX_CA_FILE_BYTES) {
        throw new FetchException("caCertificates `" + file + "` is larger than 1 MiB");
      }
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw FetchException.io("caCertificates `" + file + "` cannot be read", e);
    }
    try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new FetchException("caCertificates `" + file + "` holds no certificate");
      }
      return certs;
    } catch (CertificateException | IOException e) {
      throw new FetchException("caCertificates `" + file + "` is not a pem certificate file");
    }
  }

  /**
   * True when {@code cert} carries one of {@code wanted} as a DNS, IP or URI subject alt name
   * (exact, as a DestinationRule's `subjectAltNames`; a certificate's `*.x` DNS name covers one
   * label).
   */
  static boolean matchesSubjectAltName(X509Certificate cert, List<String> wanted) {
    Collection<List<?>> sans;
    try {
      sans = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return false;
    }
    if (sans == null) {
      return false;
    }
    for (List<?> san : sans) {
      if (san.size() < 2 || !(san.get(0) instanceof Integer type)) {
        continue;
      }
      if (!(san.get(1) instanceof String value)) {
        continue;
      }
      for (String w : wanted) {
        if (type == 2 && dnsMatches(value, w)) {
          return true;
        }
        if (type == 7 && ipMatches(value, w)) {
          return true;
        }
        if (type == 6 && value.equals(w)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean dnsMatches(String certName, String wanted) {
    String c = certName.toLowerCase(Locale.ROOT);
    String w = wanted.toLowerCase(Locale.ROOT);
    if (c.equals(w)) {
      return true;
    }
    if (c.startsWith("*.")) {
      int dot = w.indexOf('.');
      return dot > 0 && w.substring(dot).equals(c.substring(1));
    }
    return false;
  }

  private static boolean ipMatches(String certIp, String wanted) {
    byte[] a = AddressPolicy.literalBytes(certIp);
    byte[] b = AddressPolicy.literalBytes(wanted);
    return a != null && b != null && Arrays.equals(a, b);
  }

  /** The JVM's default trust anchors, loaded once. */
  private static final class JvmTrust {
    static final List<X509Certificate> ISSUERS = load();

    private static List<X509Certificate> load() {
      try {
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        List<X509Certificate> issuers = new ArrayList<>();
        for (TrustManager tm : factory.getTrustManagers()) {
          if (tm instanceof X509TrustManager x509) {
            issuers.addAll(Arrays.asList(x509.getAcceptedIssuers()));
          }
        }
        return List.copyOf(issuers);
      } catch (GeneralSecurityException e) {
        return List.of();
      }
    }
  }

  /** `insecureSkipVerify: true`: the user asked for no verification. */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
