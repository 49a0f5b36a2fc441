package dev.meshguard.extauthz;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds ext_authz check requests as Envoy sends them. */
final class EnvoyRequests {
  private EnvoyRequests() {}

  static AttributeContext.HttpRequest.Builder http(String method, String path) {
    return AttributeContext.HttpRequest.newBuilder()
        .setMethod(method)
        .setPath(path)
        .setHost("bookinfo")
        .setScheme("http")
        .setProtocol("HTTP/1.1");
  }

  /** Headers as Envoy's `headers` map: repeated names joined with `,`. */
  static AttributeContext.HttpRequest.Builder withHeaderMap(
      AttributeContext.HttpRequest.Builder http, List<Map.Entry<String, String>> headers) {
    Map<String, String> joined = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : headers) {
      joined.merge(h.getKey(), h.getValue(), (a, b) -> a + "," + b);
    }
    return http.putAllHeaders(joined);
  }

  /** Headers as Envoy's `header_map` (`encode_raw_headers`): one entry per line. */
  static AttributeContext.HttpRequest.Builder withRawHeaders(
      AttributeContext.HttpRequest.Builder http, List<Map.Entry<String, String>> headers) {
    HeaderMap.Builder map = HeaderMap.newBuilder();
    for (Map.Entry<String, String> h : headers) {
      map.addHeaders(
          HeaderValue.newBuilder()
              .setKey(h.getKey())
              .setRawValue(com.google.protobuf.ByteString.copyFromUtf8(h.getValue())));
    }
    return http.setHeaderMap(map);
  }

  static CheckRequest request(AttributeContext.HttpRequest.Builder http) {
    return CheckRequest.newBuilder()
        .setAttributes(
            AttributeContext.newBuilder()
                .setSource(peer("10.0.0.7", 51000, null))
                .setDestination(peer("10.0.0.9", 8080, null))
                .setRequest(AttributeContext.Request.newBuilder().setHttp(http)))
        .build();
  }

  static AttributeContext.Peer peer(String ip, int port, String principal) {
    AttributeContext.Peer.Builder b =
        AttributeContext.Peer.newBuilder()
            .setAddress(
                Address.newBuilder()
                    .setSocketAddress(
                        SocketAddress.newBuilder().setAddress(ip).setPortValue(port)));
    if (principal != null) {
      b.setPrincipal(principal);
    }
    return b.build();
  }
}
