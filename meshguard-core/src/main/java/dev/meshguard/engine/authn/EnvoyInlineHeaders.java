package dev.meshguard.engine.authn;

import java.util.Locale;
import java.util.Set;

/**
 * Request headers that Envoy keeps as one inline entry. Its HTTP/1 and HTTP/2 codecs append a
 * repeated line of such a header to the first with `,` (`HeaderMapImpl::insertByKey`), so
 * `Authorization: Bearer a` + `Authorization: Bearer b` reaches jwt_authn as the single value
 * `Bearer a,Bearer b`. Other headers stay one entry per line. The names are Envoy's static inline
 * request headers (`INLINE_REQ_STRING_HEADERS`, `INLINE_REQ_RESP_STRING_HEADERS` in
 * header_map_impl.h) plus the custom inline ones its statically linked filters register:
 * `authorization` (oauth2, basic_auth, cache, ...), `origin` and `access-control-request-method`
 * (jwt_authn itself).
 */
final class EnvoyInlineHeaders {
  private static final Set<String> NAMES =
      Set.of(
          "authorization",
          "origin",
          "access-control-request-method",
          "connection",
          "content-type",
          "expect",
          "grpc-timeout",
          "host",
          "keep-alive",
          "proxy-connection",
          "proxy-status",
          "te",
          "transfer-encoding",
          "upgrade",
          "user-agent",
          "via",
          "x-client-trace-id",
          "x-envoy-decorator-operation",
          "x-envoy-downstream-service-cluster",
          "x-envoy-downstream-service-node",
          "x-envoy-external-address",
          "x-envoy-force-trace",
          "x-envoy-hedge-on-per-try-timeout",
          "x-envoy-internal",
          "x-envoy-ip-tags",
          "x-envoy-original-path",
          "x-envoy-original-url",
          "x-envoy-retriable-header-names",
          "x-envoy-retriable-status-codes",
          "x-envoy-retry-grpc-on",
          "x-envoy-retry-on",
          "x-envoy-upstream-alt-stat-name",
          "x-envoy-upstream-rq-timeout-alt-response",
          "x-forwarded-client-cert",
          "x-forwarded-for",
          "x-forwarded-host",
          "x-forwarded-proto",
          "x-request-id");

  private EnvoyInlineHeaders() {}

  /** Whether Envoy's codec joins repeated lines of this header into one value. */
  static boolean joinsRepeatedLines(String name) {
    return NAMES.contains(name.toLowerCase(Locale.ROOT));
  }
}
