package dev.meshguard.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A CheckRequest filled as Envoy's ext_authz filter fills it
 * (`CheckRequestUtils::createHttpCheck`): source and destination peers with their socket addresses
 * and mTLS principals (the URI SAN, `spiffe://...`), the request time, the HTTP request's stream
 * id, method, path (query included), host, scheme, size and protocol, the route's
 * `context_extensions`, and the headers in one of Envoy's two encodings. Envoy's header map holds
 * lower-case names and the pseudo-headers, which come first.
 */
final class EnvoyCheck {
  /** How Envoy encodes the request headers. */
  enum Headers {
    /** Envoy's default: the `headers` map, repeated names joined with `,`. */
    MAP,
    /** `encode_raw_headers: true` (Envoy 1.30+): `header_map`, one `raw_value` per line. */
    RAW
  }

  private static final AtomicLong STREAM_IDS = new AtomicLong(4_711_000_000_000_000L);

  private String method = "GET";
  private String path = "/";
  private String host = "localhost";
  private String scheme = "http";
  private String protocol = "HTTP/1.1";
  private final List<Map.Entry<String, String>> headers = new ArrayList<>();
  private AttributeContext.Peer source = peer("10.244.1.7", 53122, "");
  private AttributeContext.Peer destination = peer("10.244.2.9", 8080, "");
  private final Map<String, String> contextExtensions = new LinkedHashMap<>();

  EnvoyCheck method(String method) {
    this.method = method;
    return this;
  }

  EnvoyCheck path(String path) {
    this.path = path;
    return this;
  }

  EnvoyCheck host(String host) {
    this.host = host;
    return this;
  }

  EnvoyCheck scheme(String scheme) {
    this.scheme = scheme;
    return this;
  }

  EnvoyCheck protocol(String protocol) {
    this.protocol = protocol;
    return this;
  }

  /** One request header line; Envoy stores names in lower case. */
  EnvoyCheck header(String name, String value) {
    headers.add(Map.entry(name.toLowerCase(Locale.ROOT), value));
    return this;
  }

  /** The downstream peer; {@code principal} is its certificate's URI SAN, empty without mTLS. */
  EnvoyCheck source(String ip, int port, String principal) {
    this.source = peer(ip, port, principal);
    return this;
  }

  /** The local end (the listener) and its own certificate's URI SAN. */
  EnvoyCheck destination(String ip, int port, String principal) {
    this.destination = peer(ip, port, principal);
    return this;
  }

  /** The route's (or virtual host's) `ExtAuthzPerRoute.check_settings.context_extensions`. */
  EnvoyCheck contextExtension(String key, String value) {
    contextExtensions.put(key, value);
    return this;
  }

  CheckRequest build(Headers encoding) {
    AttributeContext.HttpRequest.Builder http =
        AttributeContext.HttpRequest.newBuilder()
            .setId(Long.toString(STREAM_IDS.incrementAndGet()))
            .setMethod(method)
            .setPath(path)
            .setHost(host)
            .setScheme(scheme)
            .setSize(0)
            .setProtocol(protocol);
    List<Map.Entry<String, String>> lines = new ArrayList<>();
    lines.add(Map.entry(":authority", host));
    lines.add(Map.entry(":path", path));
    lines.add(Map.entry(":method", method));
    lines.add(Map.entry(":scheme", scheme));
    lines.addAll(headers);
    if (encoding == Headers.MAP) {
      Map<String, String> joined = new LinkedHashMap<>();
      lines.forEach(h -> joined.merge(h.getKey(), h.getValue(), (a, b) -> a + "," + b));
      http.putAllHeaders(joined);
    } else {
      HeaderMap.Builder map = HeaderMap.newBuilder();
      lines.forEach(
          h ->
              map.addHeaders(
                  HeaderValue.newBuilder()
                      .setKey(h.getKey())
                      .setRawValue(ByteString.copyFrom(h.getValue(), StandardCharsets.UTF_8))));
      http.setHeaderMap(map);
    }
    Instant now = Instant.now();
    return CheckRequest.newBuilder()
        .setAttributes(
            AttributeContext.newBuilder()
                .setSource(source)
                .setDestination(destination)
                .setRequest(
                    AttributeContext.Request.newBuilder()
                        .setTime(
                            Timestamp.newBuilder()
                                .setSeconds(now.getEpochSecond())
                                .setNanos(now.getNano()))
                        .setHttp(http))
                .putAllContextExtensions(contextExtensions))
        .build();
  }

  private static AttributeContext.Peer peer(String ip, int port, String principal) {
    return AttributeContext.Peer.newBuilder()
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder()
                        .setProtocol(SocketAddress.Protocol.TCP)
                        .setAddress(ip)
                        .setPortValue(port)))
        .setPrincipal(principal)
        .build();
  }
}
