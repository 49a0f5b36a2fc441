package dev.meshguard.extauthz;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.ForwardedFor;
import dev.meshguard.engine.RequestHeaders;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns Envoy's ext_authz `CheckRequest` into the engine's {@link CheckRequest}: the same fields
 * `serve` fills from the wire and `check` from its options, so the three agree.
 */
public final class ExtAuthzRequests {
  private static final String SPIFFE = "spiffe://";

  private ExtAuthzRequests() {}

  /**
   * @param numTrustedProxies `x-forwarded-for` hops to trust for `remote.ip`; 0 takes Envoy's
   *     `source.address`, which is already the client address Envoy derived with its own
   *     `xff_num_trusted_hops`
   */
  public static CheckRequest toCheckRequest(
      io.envoyproxy.envoy.service.auth.v3.CheckRequest envoy, int numTrustedProxies) {
    AttributeContext attributes = envoy.getAttributes();
    AttributeContext.HttpRequest http = attributes.getRequest().getHttp();
    RequestHeaders headers = RequestHeaders.of(headers(http));
    String sourceIp = ip(attributes.getSource().getAddress());
    String remoteIp =
        ForwardedFor.clientAddress(sourceIp, headers.all("x-forwarded-for"), numTrustedProxies);
    String principal = emptyToNull(attributes.getSource().getPrincipal());
    if (principal != null && principal.startsWith(SPIFFE)) {
      principal = principal.substring(SPIFFE.length());
    }
    String scheme = http.getScheme().isEmpty() ? "http" : http.getScheme();
    return new CheckRequest(
        http.getMethod(),
        scheme,
        emptyToNull(http.getHost()),
        http.getPath(),
        headers,
        sourceIp,
        remoteIp,
        principal,
        ip(attributes.getDestination().getAddress()),
        port(attributes.getDestination().getAddress()),
        emptyToNull(attributes.getTlsSession().getSni()));
  }

  /**
   * The request headers. Envoy sends either `header_map` (with `encode_raw_headers`: one entry per
   * header line, repetition kept) or `headers` (one entry per name, repeated values joined with `,`
   * since the fix of CVE-2021-32777). `header_map` is preferred when present: it is what the
   * upstream gets, entry by entry; the engine joins repeated values itself where Envoy does. The
   * host travels in `http.host`, so `:authority` and `host` are left out as in `serve`.
   */
  static List<Map.Entry<String, String>> headers(AttributeContext.HttpRequest http) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (http.hasHeaderMap() && http.getHeaderMap().getHeadersCount() > 0) {
      for (HeaderValue h : http.getHeaderMap().getHeadersList()) {
        String value =
            h.getRawValue().isEmpty()
                ? h.getValue()
                : h.getRawValue().toString(StandardCharsets.UTF_8);
        add(out, h.getKey(), value);
      }
    } else {
      // a protobuf map has no order; sort for a stable view (the engine matches by name)
      new java.util.TreeMap<>(http.getHeadersMap()).forEach((k, v) -> add(out, k, v));
    }
    return out;
  }

  private static void add(List<Map.Entry<String, String>> out, String name, String value) {
    if (name.equalsIgnoreCase(":authority") || name.equalsIgnoreCase("host")) {
      return;
    }
    out.add(Map.entry(name, value));
  }

  private static String ip(Address address) {
    if (!address.hasSocketAddress()) {
      return null;
    }
    return emptyToNull(address.getSocketAddress().getAddress());
  }

  private static int port(Address address) {
    return address.hasSocketAddress() ? address.getSocketAddress().getPortValue() : 0;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
