package dev.meshguard.runtime.custom;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.CustomCheck;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The request headers as Envoy's ext_authz filter puts them into a check (`attributes.request.http
 * .headers`): lower-case names, the values of repeated headers joined with `,`, the pseudo-headers
 * `:authority`, `:method`, `:path` (the normalised path with its query) and `:scheme`, and without
 * a client's `x-envoy-auth-partial-body` (Envoy's own header when it sends the body).
 */
public final class CheckHeaders {
  /** Envoy's marker of a cut request body, never taken from the client. */
  public static final String PARTIAL_BODY = "x-envoy-auth-partial-body";

  private CheckHeaders() {}

  public static Map<String, String> of(CustomCheck check, CheckRequest request) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":authority", request.host() == null ? "" : request.host());
    headers.put(":path", check.path());
    headers.put(":method", request.method());
    headers.put(":scheme", request.scheme());
    for (Map.Entry<String, String> h : request.headers().entries()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.equals(PARTIAL_BODY) || name.equals("host") || name.startsWith(":")) {
        continue; // `host` is `:authority` in Envoy's header map
      }
      headers.merge(name, h.getValue(), (a, b) -> a + "," + b);
    }
    return headers;
  }
}
