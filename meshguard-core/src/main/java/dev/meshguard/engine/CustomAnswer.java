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
 * @param responseHeaders headers for the client: on the denial, or when allowed added to whatever
 *     response the request gets (the upstream's, or a later step's denial), as Envoy adds an OK
 *     answer's `response_headers_to_add` while encoding
 * @param upstreamHeaders headers set on the request when allowed (replacing any of that name):
 *     later steps (JWT, DENY, ALLOW) and the upstream see them
 * @param upstreamAppends headers added to the request when allowed, beside any of that name
 * @param upstreamRemovals names of request headers removed when allowed (before the sets)
 * @param reason why, for the trace and logs (`provider denied`, `provider unreachable: …`)
 * @param queryToSet query parameters set on the request when allowed (gRPC
 *     `query_parameters_to_set`: replacing every value of that name), names and values as they go
 *     into the query (not decoded)
 * @param queryToRemove names of query parameters removed when allowed (gRPC
 *     `query_parameters_to_remove`)
 */
public record CustomAnswer(
    boolean allowed,
    int status,
    String body,
    List<Map.Entry<String, String>> responseHeaders,
    List<Map.Entry<String, String>> upstreamHeaders,
    List<Map.Entry<String, String>> upstreamAppends,
    List<String> upstreamRemovals,
    String reason,
    List<Map.Entry<String, String>> queryToSet,
    List<String> queryToRemove) {
  public CustomAnswer {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(reason, "reason");
    responseHeaders = List.copyOf(responseHeaders);
    upstreamHeaders = List.copyOf(upstreamHeaders);
    upstreamAppends = List.copyOf(upstreamAppends);
    upstreamRemovals = List.copyOf(upstreamRemovals);
    queryToSet = List.copyOf(queryToSet);
    queryToRemove = List.copyOf(queryToRemove);
  }

  /** An answer that leaves the query alone (every HTTP provider's, and most gRPC ones). */
  public CustomAnswer(
      boolean allowed,
      int status,
      String body,
      List<Map.Entry<String, String>> responseHeaders,
      List<Map.Entry<String, String>> upstreamHeaders,
      List<Map.Entry<String, String>> upstreamAppends,
      List<String> upstreamRemovals,
      String reason) {
    this(
        allowed,
        status,
        body,
        responseHeaders,
        upstreamHeaders,
        upstreamAppends,
        upstreamRemovals,
        reason,
        List.of(),
        List.of());
  }

  /** Whether an allowing answer changes the request's query. */
  public boolean rewritesQuery() {
    return !queryToSet.isEmpty() || !queryToRemove.isEmpty();
  }

  public static CustomAnswer allow(List<Map.Entry<String, String>> upstreamHeaders, String reason) {
    return new CustomAnswer(
        true, 200, "", List.of(), upstreamHeaders, List.of(), List.of(), reason);
  }

  public static CustomAnswer deny(
      int status, String body, List<Map.Entry<String, String>> responseHeaders, String reason) {
    return new CustomAnswer(
        false, status, body, responseHeaders, List.of(), List.of(), List.of(), reason);
  }

  /**
   * The answer when the provider could not be asked (unreachable, timed out, a 5xx or a broken
   * reply): allowed when `failOpen`, otherwise `statusOnError` with an empty body, as Envoy.
   */
  public static CustomAnswer onError(ExtAuthzProvider provider, String reason) {
    if (provider.failOpen()) {
      return allow(List.of(), reason + " (failOpen)");
    }
    return deny(provider.statusOnError(), "", List.of(), reason);
  }
}
