package dev.meshguard.engine.authz;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshguard.engine.RequestHeaders;

/**
 * The request attributes authorization matches on, after normalisation and after the JWT step.
 *
 * @param path the normalised path without query or fragment
 * @param peerPrincipal the mTLS peer identity without `spiffe://`, or null for plaintext
 * @param claims the verified token's payload (space-delimited claims split), or null
 * @param headers the request headers as the JWT step left them
 */
public record AuthzRequest(
    String method,
    String host,
    String path,
    int destinationPort,
    String sourceIp,
    String remoteIp,
    String destinationIp,
    String sni,
    String peerPrincipal,
    RequestHeaders headers,
    ObjectNode claims) {

  /** The peer's URI SAN as Envoy matches it (`spiffe://...`), or null. */
  String peerUri() {
    return peerPrincipal == null || peerPrincipal.isEmpty() ? null : "spiffe://" + peerPrincipal;
  }
}
