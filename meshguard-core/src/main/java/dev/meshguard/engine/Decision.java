package dev.meshguard.engine;

import dev.meshguard.engine.authz.ShadowResult;
import dev.meshguard.jwt.JwtStatus;
import java.util.List;
import java.util.Map;

/**
 * The answer for one request, the same for every front end.
 *
 * @param status 200 when allowed; otherwise the HTTP status to answer with (400, 401, 403)
 * @param allowed whether the request goes on to the upstream
 * @param outcome why, as a category (for metrics and access logs)
 * @param reason a short human-readable cause (Envoy's text for JWT failures, `RBAC: access denied`
 *     cause for authorization)
 * @param policy `namespace/name` of the policy that decided, or null
 * @param principal `iss/sub` of the verified token whose claims were used, or null
 * @param jwtStatus the JWT authentication result ({@link JwtStatus#JWT_MISSED} when no token)
 * @param body the response body to send when denied (Envoy's exact text), null when allowed
 * @param responseHeaders extra response headers when denied (e.g. `www-authenticate`)
 * @param upstream how to rewrite the request when allowed, null when denied
 * @param trace the explanation, one line per step, for `check --explain`
 * @param shadow what the dry-run policies would have decided (Envoy's `shadow_engine_result` and
 *     `shadow_effective_policy_id`), or null when no dry-run policy was evaluated: none applies, or
 *     the request was decided before authorization (400, CUSTOM, JWT)
 */
public record Decision(
    int status,
    boolean allowed,
    Outcome outcome,
    String reason,
    String policy,
    String principal,
    JwtStatus jwtStatus,
    String body,
    List<Map.Entry<String, String>> responseHeaders,
    UpstreamRewrite upstream,
    List<String> trace,
    ShadowResult shadow) {

  /** Why a request was allowed or denied. */
  public enum Outcome {
    ALLOWED,
    /** The request could not be evaluated (e.g. `%00` in the path): 400. */
    BAD_REQUEST,
    /** A token was present and failed (401, or 403 for the audience). */
    DENIED_AUTHENTICATION,
    /** An AuthorizationPolicy (DENY match, or no ALLOW match) denied it: 403. */
    DENIED_AUTHORIZATION,
    /** A CUSTOM policy matched and no external authorizer allowed it. */
    DENIED_CUSTOM
  }

  public Decision {
    responseHeaders = List.copyOf(responseHeaders);
    trace = List.copyOf(trace);
  }

  /** A decision without a dry-run verdict. */
  public Decision(
      int status,
      boolean allowed,
      Outcome outcome,
      String reason,
      String policy,
      String principal,
      JwtStatus jwtStatus,
      String body,
      List<Map.Entry<String, String>> responseHeaders,
      UpstreamRewrite upstream,
      List<String> trace) {
    this(
        status,
        allowed,
        outcome,
        reason,
        policy,
        principal,
        jwtStatus,
        body,
        responseHeaders,
        upstream,
        trace,
        null);
  }

  /**
   * What the proxy changes before forwarding an allowed request.
   *
   * @param path the normalized path with the query kept and any fragment removed
   * @param removeHeaders lower-case names of headers to drop (token headers, spoofed outputs)
   * @param addHeaders headers to add after removal (payload and claim outputs)
   */
  public record UpstreamRewrite(
      String path, List<String> removeHeaders, List<Map.Entry<String, String>> addHeaders) {
    public UpstreamRewrite {
      removeHeaders = List.copyOf(removeHeaders);
      addHeaders = List.copyOf(addHeaders);
    }
  }
}
