package dev.meshguard.proxy;

import java.util.List;

/**
 * The peer principal Istio's authorization sees in a client certificate.
 *
 * <p>istiod turns `principals`, `namespaces`, `serviceAccounts` and `trustDomains` into matchers on
 * the certificate's URI SAN with the `spiffe://` prefix (`spiffe://TD/ns/NS/sa/SA`), and the engine
 * does the same on {@code "spiffe://" + principal}: so the principal is the URI SAN without that
 * prefix, taken as it is (no further parsing: `spiffe://td/ns/a/sa/b/extra` is matched by
 * `serviceAccounts: [a/b]` in Envoy too, and by `namespaces: [a]`).
 *
 * <p>Envoy's ext_authz hands the first URI SAN over as `source.principal`, and a SPIFFE SVID has
 * exactly one; the first URI SAN is the one taken here. A first URI SAN that is not `spiffe://`
 * (the scheme is matched case-sensitively, as Envoy's exact/prefix matchers do), or a certificate
 * with DNS SANs or a subject only, gives no principal: none of the matchers istiod writes with the
 * `spiffe://` prefix could match it.
 */
final class SpiffePrincipal {
  static final String PREFIX = "spiffe://";

  private SpiffePrincipal() {}

  /** The principal of a certificate with these URI SANs (certificate order), or null. */
  static String fromUriSans(List<String> uriSans) {
    return uriSans.isEmpty() ? null : fromUri(uriSans.get(0));
  }

  /** {@code spiffe://X} → X (X non-empty); anything else → null. */
  static String fromUri(String uri) {
    if (uri == null || !uri.startsWith(PREFIX) || uri.length() == PREFIX.length()) {
      return null;
    }
    return uri.substring(PREFIX.length());
  }
}
