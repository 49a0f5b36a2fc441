package dev.meshguard.jwks;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * How one URL is fetched: where to connect, whether to speak TLS and how to verify the peer. A
 * value: two rules whose URL resolves to equal routes share one key source.
 *
 * @param uri the URL as configured
 * @param host the URL's host, lower case, without brackets
 * @param port the URL's port (80 or 443 by default): the service port ServiceEntries and
 *     DestinationRules are matched against
 * @param requestTarget path and query sent in the request line
 * @param hostHeader the `Host` header
 * @param dials what to connect to, in order; names are resolved by DNS when fetching
 * @param tls null for plain HTTP
 * @param via how the host was reached, for explanations: `dns`, ``serviceentry `foo/ext` (STATIC)``
 */
record Route(
    String uri,
    String host,
    int port,
    String requestTarget,
    String hostHeader,
    List<Dial> dials,
    Tls tls,
    String via) {

  Route {
    requireNonNull(uri, "uri");
    dials = List.copyOf(dials);
  }

  /** One address (an IP literal or a name to resolve) and port to connect to. */
  record Dial(String host, int port) {
    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * TLS towards the endpoint.
   *
   * @param sni the server name to send, null for none
   * @param verifyName the name (or IP) the certificate must carry when {@code subjectAltNames} is
   *     empty
   * @param subjectAltNames when not empty, the certificate must carry one of these exactly
   *     (DestinationRule `subjectAltNames`), and {@code verifyName} is not checked
   * @param caCertificates a PEM file of extra trusted CAs, or null
   * @param insecureSkipVerify no chain or name verification at all (DestinationRule
   *     `insecureSkipVerify`)
   * @param origin what asked for TLS: `https` or ``destinationrule `ns/name` ``
   */
  record Tls(
      String sni,
      String verifyName,
      List<String> subjectAltNames,
      String caCertificates,
      boolean insecureSkipVerify,
      String origin) {
    Tls {
      subjectAltNames = List.copyOf(subjectAltNames);
    }
  }

  /** For `check --explain` and health: the URL and how it is reached. */
  String describe() {
    StringBuilder sb = new StringBuilder("`").append(uri).append('`');
    if (!"dns".equals(via)) {
      sb.append(" via ").append(via).append(" to ");
      sb.append(String.join(", ", dials.stream().map(Dial::toString).toList()));
    }
    if (tls != null) {
      sb.append(", tls from ").append(tls.origin());
      if (tls.sni() != null) {
        sb.append(" (sni `").append(tls.sni()).append("`)");
      }
      if (tls.insecureSkipVerify()) {
        sb.append(", certificate not verified");
      } else if (tls.caCertificates() != null) {
        sb.append(", ca `").append(tls.caCertificates()).append('`');
      }
    }
    return sb.toString();
  }
}
