package dev.meshguard.engine.authz;

import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.engine.authn.VerifiedClaims;

/**
 * The request attributes authorization matches on, after normalisation and after the JWT step.
 *
 * @param path the normalised path without query or fragment
 * @param pathWithQuery the normalised `:path` as forwarded (query kept)
 * @param peerPrincipal the mTLS peer identity without `spiffe://`, or null for plaintext
 * @param claims the verified token's payload (space-delimited claims split), or null
 * @param headers the request headers as the JWT step left them
 */
public record AuthzRequest(
    String method,
    String host,
    String path,
    String pathWithQuery,
    String scheme,
    int destinationPort,
    String sourceIp,
    String remoteIp,
    String destinationIp,
    String sni,
    String peerPrincipal,
    RequestHeaders headers,
    VerifiedClaims claims) {

  /**
   * Values of a header as Envoy's header matcher sees them; pseudo-headers (`:authority` / `host`,
   * `:method`, `:path`, `:scheme`) come from the request line.
   */
  java.util.List<String> headerValues(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    return switch (lower) {
      case ":authority", "host" -> host == null ? java.util.List.of() : java.util.List.of(host);
      case ":method" -> java.util.List.of(method);
      case ":path" -> java.util.List.of(pathWithQuery);
      case ":scheme" -> java.util.List.of(scheme);
      default -> headers.all(name);
    };
  }

  /** The peer's URI SAN as Envoy matches it (`spiffe://...`), or null. */
  String peerUri() {
    return peerPrincipal == null || peerPrincipal.isEmpty() ? null : "spiffe://" + peerPrincipal;
  }
}
