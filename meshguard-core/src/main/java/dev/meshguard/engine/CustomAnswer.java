package dev.meshguard.engine;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a CUSTOM policy's external authorizer answered, already filtered by the provider's settings
 * (only the headers its `headersTo…` lists let through), as Envoy's ext_authz filter applies it.
 *
 * @param status the client's status when denied (the provider's own, or `statusOnError`)
 * @param body the client's body when denied
 * @param responseHeaders headers for the client when denied
 * @param upstreamHeaders headers set on the request when allowed: later steps (JWT, DENY, ALLOW)
 *     and the upstream see them
 * @param reason why, for the trace and logs (`provider denied`, `provider unreachable: …`)
 */
public record CustomAnswer(
    boolean allowed,
    int status,
    String body,
    List<Map.Entry<String, String>> responseHeaders,
    List<Map.Entry<String, String>> upstreamHeaders,
    String reason) {
  public CustomAnswer {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(reason, "reason");
    responseHeaders = List.copyOf(responseHeaders);
    upstreamHeaders = List.copyOf(upstreamHeaders);
  }

  public static CustomAnswer allow(List<Map.Entry<String, String>> upstreamHeaders, String reason) {
    return new CustomAnswer(true, 200, "", List.of(), upstreamHeaders, reason);
  }

  public static CustomAnswer deny(
      int status, String body, List<Map.Entry<String, String>> responseHeaders, String reason) {
    return new CustomAnswer(false, status, body, responseHeaders, List.of(), reason);
  }
}
