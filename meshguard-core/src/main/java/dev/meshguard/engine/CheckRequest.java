package dev.meshguard.engine;

import java.util.Objects;

/**
 * One HTTP request to decide, as every front end (proxy, ext_authz, `check`) describes it.
 *
 * @param method the request method as received (case kept)
 * @param scheme `http` or `https`, used for the `www-authenticate` realm
 * @param host the `:authority` / `Host` value as received (with port if the client sent one)
 * @param rawPath the request target as received: path, optional query and fragment
 * @param headers the request headers
 * @param sourceIp the direct peer address (`source.ip`), may be null
 * @param remoteIp the client address derived from `x-forwarded-for` (`remote.ip`); null means the
 *     same as {@code sourceIp}
 * @param sourcePrincipal the peer's mTLS identity without `spiffe://`, or null for plaintext
 * @param destinationIp the local address the request arrived on, may be null
 * @param destinationPort the local port the request arrived on, or 0 when unknown
 * @param sni the TLS server name of the connection, or null
 */
public record CheckRequest(
    String method,
    String scheme,
    String host,
    String rawPath,
    RequestHeaders headers,
    String sourceIp,
    String remoteIp,
    String sourcePrincipal,
    String destinationIp,
    int destinationPort,
    String sni) {
  public CheckRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(rawPath, "rawPath");
    Objects.requireNonNull(headers, "headers");
  }

  public String effectiveRemoteIp() {
    return remoteIp != null ? remoteIp : sourceIp;
  }
}
