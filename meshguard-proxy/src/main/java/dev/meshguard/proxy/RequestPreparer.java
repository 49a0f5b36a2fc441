package dev.meshguard.proxy;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.ForwardedFor;
import dev.meshguard.engine.RequestHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns a received request into what the engine decides on, mutating the request into what will be
 * forwarded if allowed. The connection-manager steps Envoy runs before its filters happen here, in
 * the same order, so the headers the engine sees are the headers the upstream gets: hop-by-hop and
 * internal headers removed, `x-forwarded-for` appended, `x-forwarded-proto` and `x-request-id` set.
 */
final class RequestPreparer {
  static final String X_FORWARDED_FOR = "x-forwarded-for";
  static final String X_FORWARDED_PROTO = "x-forwarded-proto";
  static final String X_REQUEST_ID = "x-request-id";

  /** Envoy's default `max_headers_count`: one more header line is answered 431. */
  static final int MAX_HEADERS = 100;

  private final int numTrustedProxies;
  private final ForwardClientCert forwardClientCert;

  RequestPreparer(int numTrustedProxies) {
    this(numTrustedProxies, ForwardClientCert.SANITIZE);
  }

  RequestPreparer(int numTrustedProxies, ForwardClientCert forwardClientCert) {
    this.numTrustedProxies = numTrustedProxies;
    this.forwardClientCert = forwardClientCert;
  }

  /**
   * The request as prepared, with the client address derived from `x-forwarded-for`.
   *
   * @param target the request target as the engine reads it (also what the access log shows)
   */
  record Prepared(CheckRequest check, String requestId, String target) {}

  Prepared prepare(HttpRequest request, ConnectionInfo conn) throws RequestRejected {
    HttpHeaders headers = request.headers();
    if (headers.size() > MAX_HEADERS) {
      throw RequestRejected.headersTooLarge("more than " + MAX_HEADERS + " request headers");
    }
    List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!codings.isEmpty()
        && !(codings.size() == 1 && codings.get(0).equalsIgnoreCase("chunked"))) {
      throw RequestRejected.notImplemented("unsupported transfer encoding");
    }
    HttpVersion version = request.protocolVersion();
    if (version.majorVersion() != 1 || version.minorVersion() > 1) {
      throw RequestRejected.badRequest("unsupported protocol version `" + version + "`");
    }
    String method = request.method().name();
    for (int i = 0; i < method.length(); i++) {
      char c = method.charAt(i);
      if (c >= 'a' && c <= 'z') {
        // Istio rejects methods not in upper case; otherwise `get` could slip past a GET rule
        throw RequestRejected.badRequest("method `" + method + "` is not in upper case");
      }
    }
    RequestTarget target = RequestTarget.parse(method, request.uri());
    String host;
    if (target.authority() != null) {
      // absolute-form (`GET http://host/path`): the URL's authority replaces Host, as in Envoy
      host = target.authority();
      headers.set(HttpHeaderNames.HOST, host);
    } else {
      List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
      if (hosts.size() > 1) {
        throw RequestRejected.badRequest("more than one Host header");
      }
      if (hosts.isEmpty()) {
        if (version.equals(HttpVersion.HTTP_1_1)) {
          throw RequestRejected.badRequest("missing Host header");
        }
        // Envoy without `accept_http_10` (Istio's default) answers 426 to HTTP/1.0; meshguard
        // serves HTTP/1.0 that names its host and refuses the rest the same way
        throw RequestRejected.upgradeRequired("HTTP/1.0 request without Host");
      }
      host = WireText.utf8Lenient(hosts.get(0));
    }

    String upgrade = WebSocketUpgrade.requested(headers);
    HopByHopHeaders.removeFromRequest(headers);
    if (upgrade != null) {
      WebSocketUpgrade.restore(headers, upgrade);
    }
    HopByHopHeaders.removeInternal(headers);
    forwardClientCert.apply(headers, conn.peer());

    String existingXff = joined(headers.getAll(X_FORWARDED_FOR));
    String remoteIp = remoteIp(existingXff, conn.peerIp());
    headers.remove(X_FORWARDED_FOR);
    headers.add(
        X_FORWARDED_FOR, existingXff == null ? conn.peerIp() : existingXff + "," + conn.peerIp());
    if (numTrustedProxies == 0 || !headers.contains(X_FORWARDED_PROTO)) {
      headers.set(X_FORWARDED_PROTO, conn.scheme());
    }
    String requestId = headers.get(X_REQUEST_ID);
    if (requestId == null || requestId.isEmpty()) {
      requestId = randomUuid();
      headers.set(X_REQUEST_ID, requestId);
    }

    List<Map.Entry<String, String>> entries = new ArrayList<>(headers.size());
    for (Map.Entry<String, String> e : headers) {
      if (!e.getKey().equalsIgnoreCase("host")) {
        entries.add(Map.entry(e.getKey(), WireText.utf8Lenient(e.getValue())));
      }
    }
    CheckRequest check =
        new CheckRequest(
            method,
            conn.scheme(),
            host,
            target.text(),
            RequestHeaders.ofUnshared(entries),
            conn.peerIp(),
            remoteIp,
            conn.peer().principal(),
            conn.localIp(),
            conn.localPort(),
            conn.sni());
    return new Prepared(check, requestId, target.text());
  }

  /**
   * Envoy with `use_remote_address` and `xff_num_trusted_hops = N`: the client is the N-th address
   * from the right of the received XFF; with fewer addresses, or N = 0, it is the direct peer. The
   * engine's rule, so that `check --num-trusted-proxies` agrees.
   */
  String remoteIp(String xff, String peerIp) {
    return ForwardedFor.clientAddress(
        peerIp, xff == null ? List.of() : List.of(xff), numTrustedProxies);
  }

  private static String joined(List<String> values) {
    if (values.isEmpty()) {
      return null;
    }
    return values.size() == 1 ? values.get(0) : String.join(",", values);
  }

  /** A version 4 UUID as Envoy generates for `x-request-id`, without SecureRandom contention. */
  static String randomUuid() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (r.nextLong() & ~0xC000000000000000L) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }
}
