package dev.meshguard.jwks;

import dev.meshguard.policy.ConfigSet;
import java.util.List;
import java.util.Objects;

/**
 * How a service that is not a key set (an ext_authz provider's `service` and `port`) is reached,
 * worked out exactly as a `jwksUri` host is: a ServiceEntry for the host gives the endpoints
 * (STATIC addresses, DNS names, or the host itself), a DestinationRule may originate TLS (SIMPLE).
 * Pure: no DNS, no I/O; names are resolved when connecting.
 *
 * @param host the service host, lower case (`ns/` removed)
 * @param port the service port
 * @param dials `host:port` pairs to connect to, in order; empty when {@code error} says why
 * @param tls TLS towards the endpoint, or null for plaintext
 * @param via how the host is reached, for messages: `dns` or ``serviceentry `ns/name` (STATIC)``
 * @param error why the service cannot be reached at all, or null
 */
public record ServiceRoute(
    String host, int port, List<Dial> dials, Tls tls, String via, String error) {

  public ServiceRoute {
    Objects.requireNonNull(host, "host");
    dials = List.copyOf(dials);
  }

  /** One address or name to connect to. */
  public record Dial(String host, int port) {}

  /**
   * TLS a DestinationRule asks for.
   *
   * @param sni the server name to send, or null
   * @param verifyName the name the certificate must carry when {@code subjectAltNames} is empty
   * @param subjectAltNames when not empty, names one of which the certificate must carry exactly
   * @param caCertificates a PEM file of CAs trusted beside the JVM's, or null
   * @param insecureSkipVerify no verification at all
   */
  public record Tls(
      String sni,
      String verifyName,
      List<String> subjectAltNames,
      String caCertificates,
      boolean insecureSkipVerify) {
    public Tls {
      subjectAltNames = List.copyOf(subjectAltNames);
    }

    /** A client context with the trust this TLS setting asks for (read when called). */
    public javax.net.ssl.SSLContext clientContext() throws java.io.IOException {
      try {
        return TlsSupport.clientContext(
            new Route.Tls(
                sni, verifyName, subjectAltNames, caCertificates, insecureSkipVerify, ""));
      } catch (FetchException e) {
        throw new java.io.IOException(e.getMessage(), e);
      }
    }

    /**
     * The trust this TLS setting asks for, for clients that build their own TLS context (gRPC): the
     * JVM's CAs plus `caCertificates`, or anything with `insecureSkipVerify`. It checks the chain
     * only; names are the caller's to check.
     */
    public javax.net.ssl.X509TrustManager trustManager() throws java.io.IOException {
      try {
        return TlsSupport.trustManager(
            new Route.Tls(
                sni, verifyName, subjectAltNames, caCertificates, insecureSkipVerify, ""));
      } catch (FetchException e) {
        throw new java.io.IOException(e.getMessage(), e);
      }
    }

    /** Whether {@code cert} carries one of {@link #subjectAltNames()} (DestinationRule rule). */
    public boolean matchesSubjectAltName(java.security.cert.X509Certificate cert) {
      return TlsSupport.matchesSubjectAltName(cert, subjectAltNames);
    }
  }

  /**
   * The route to {@code service} (`host` or `namespace/host`, as Istio's `service` field) on {@code
   * port}, with the ServiceEntries and DestinationRules of {@code config}.
   */
  public static ServiceRoute resolve(
      ConfigSet config, RemoteJwksOptions options, String service, int port) {
    String host = service.substring(service.indexOf('/') + 1);
    String bracketed = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    String url = "http://" + bracketed + ":" + port + "/";
    try {
      Route route = new RouteResolver(config, options).resolve(url);
      Tls tls =
          route.tls() == null
              ? null
              : new Tls(
                  route.tls().sni(),
                  route.tls().verifyName(),
                  route.tls().subjectAltNames(),
                  route.tls().caCertificates(),
                  route.tls().insecureSkipVerify());
      return new ServiceRoute(
          route.host(),
          port,
          route.dials().stream().map(d -> new Dial(d.host(), d.port())).toList(),
          tls,
          route.via(),
          null);
    } catch (FetchException e) {
      return new ServiceRoute(host, port, List.of(), null, "none", e.getMessage());
    }
  }

  /** `host:port` and how it is reached, for messages. */
  public String describe() {
    String target = host + ":" + port;
    if (error != null) {
      return target + " (" + error + ")";
    }
    return "dns".equals(via) ? target : target + " via " + via;
  }
}
