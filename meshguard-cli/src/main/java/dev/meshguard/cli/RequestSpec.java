package dev.meshguard.cli;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.ForwardedFor;
import dev.meshguard.engine.RequestHeaders;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One request as `check`'s options describe it. `check`, `test` and the corpus runners build their
 * {@link CheckRequest} here, so `remote.ip` and header parsing cannot differ between them.
 *
 * @param host the `:authority` value, or null
 * @param path the request target: path and query
 * @param port the destination port, 0 when unknown
 * @param headers (name, value) pairs in order; repeated names are repeated lines
 * @param numTrustedProxies x-forwarded-for hops trusted for `remote.ip` (0: the peer)
 */
record RequestSpec(
    String method,
    String scheme,
    String host,
    String path,
    int port,
    List<Map.Entry<String, String>> headers,
    String sourceIp,
    int numTrustedProxies,
    String sourcePrincipal,
    String destinationIp,
    String sni) {

  RequestSpec {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(path, "path");
    headers = List.copyOf(headers);
  }

  CheckRequest toCheckRequest() {
    RequestHeaders requestHeaders = RequestHeaders.of(headers);
    return new CheckRequest(
        method,
        scheme,
        host,
        path,
        requestHeaders,
        sourceIp,
        ForwardedFor.clientAddress(
            sourceIp, requestHeaders.all("x-forwarded-for"), numTrustedProxies),
        sourcePrincipal,
        destinationIp,
        port,
        sni);
  }

  /**
   * A `Name: value` line split at the first colon, both sides trimmed (as `check --header` reads
   * it).
   *
   * @throws IllegalArgumentException when there is no name before a colon
   */
  static Map.Entry<String, String> header(String line) {
    int colon = line.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("`" + line + "` is not of the form 'Name: value'");
    }
    return Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
  }
}
