package dev.meshguard.extauthz;

import dev.meshguard.jwks.ServiceRoute;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * How a gRPC provider's certificate is checked, as Envoy checks an upstream's for a DestinationRule
 * with TLS: the chain against the trusted CAs, then — when `subjectAltNames` is set — one of those
 * names instead of the host name (a SPIFFE URI of a mesh workload, say); without it the host name
 * (`sni`, or the service host) as HTTPS does. `insecureSkipVerify` checks nothing. A server-side
 * trust manager only: a client certificate is never asked for here.
 */
final class ProviderTrust extends X509ExtendedTrustManager {
  private final X509TrustManager chains;
  private final ServiceRoute.Tls tls;

  ProviderTrust(X509TrustManager chains, ServiceRoute.Tls tls) {
    this.chains = chains;
    this.tls = tls;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    if (tls.insecureSkipVerify()) {
      return;
    }
    if (!tls.subjectAltNames().isEmpty()) {
      // the chain only: the engine's host name check is the one subjectAltNames replaces
      chains.checkServerTrusted(chain, authType);
      requireSubjectAltName(chain);
    } else if (chains instanceof X509ExtendedTrustManager extended) {
      extended.checkServerTrusted(chain, authType, engine);
    } else {
      chains.checkServerTrusted(chain, authType);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    if (tls.insecureSkipVerify()) {
      return;
    }
    if (!tls.subjectAltNames().isEmpty()) {
      chains.checkServerTrusted(chain, authType);
      requireSubjectAltName(chain);
    } else if (chains instanceof X509ExtendedTrustManager extended) {
      extended.checkServerTrusted(chain, authType, socket);
    } else {
      chains.checkServerTrusted(chain, authType);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    if (tls.insecureSkipVerify()) {
      return;
    }
    chains.checkServerTrusted(chain, authType);
    if (!tls.subjectAltNames().isEmpty()) {
      requireSubjectAltName(chain);
    }
  }

  private void requireSubjectAltName(X509Certificate[] chain) throws CertificateException {
    if (chain.length == 0 || !tls.matchesSubjectAltName(chain[0])) {
      throw new CertificateException(
          "the provider's certificate carries none of subjectAltNames " + tls.subjectAltNames());
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("not a server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("not a server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("not a server");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return chains.getAcceptedIssuers();
  }
}
