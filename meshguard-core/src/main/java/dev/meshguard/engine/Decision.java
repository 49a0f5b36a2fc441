package dev.meshguard.engine;

import dev.meshguard.engine.authn.VerifiedClaims;
import dev.meshguard.engine.authz.ShadowResult;
import dev.meshguard.jwt.JwtStatus;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The answer for one request, the same for every front end. Small on purpose: deciding builds no
 * text for it. The readable {@link #reason()} is written when first asked for (the access log,
 * `check`), and the {@link #trace()} exists only for a decision made by {@link Engine#explain}.
 *
 * <ul>
 *   <li>{@code status}: 200 when allowed; otherwise the HTTP status to answer with (400, 401, 403,
 *       or 404 for a request target that is not a path)
 *   <li>{@code allowed}: whether the request goes on to the upstream
 *   <li>{@code outcome}: why, as a category (for metrics and access logs)
 *   <li>{@code reason}: a short human-readable cause (Envoy's text for JWT failures, `RBAC: access
 *       denied` cause for authorization)
 *   <li>{@code policy}: `namespace/name` of the policy that decided, or null; {@code rule}: the
 *       index of its rule that matched, or -1
 *   <li>{@code principal}: `iss/sub` of the verified token whose claims were used, or null
 *   <li>{@code jwtStatus}: the JWT authentication result ({@link JwtStatus#JWT_MISSED} when no
 *       token)
 *   <li>{@code body}: the response body to send when denied (Envoy's exact text), null when allowed
 *   <li>{@code responseHeaders}: extra response headers when denied (e.g. `www-authenticate`)
 *   <li>{@code upstream}: how to rewrite the request when allowed, null when denied
 *   <li>{@code trace}: the explanation, one line per step, for `check --explain`; empty unless
 *       asked for
 *   <li>{@code shadow}: what the dry-run policies would have decided (Envoy's {@code
 *       shadow_engine_result} and {@code shadow_effective_policy_id}), or null when no dry-run
 *       policy was evaluated: none applies, or the request was decided before authorization (400,
 *       CUSTOM, JWT)
 * </ul>
 */
public final class Decision {
  private final int status;
  private final boolean allowed;
  private final Outcome outcome;
  private final Supplier<String> reasonSource;
  private String reason;
  private final String policy;
  private final int rule;
  private final String principal;
  private final JwtStatus jwtStatus;
  private final String body;
  private final List<Map.Entry<String, String>> responseHeaders;
  private final UpstreamRewrite upstream;
  private final List<String> trace;
  private final ShadowResult shadow;
  private final VerifiedClaims claims;

  /** Why a request was allowed or denied. */
  public enum Outcome {
    ALLOWED,
    /**
     * The request could not be evaluated: 400 (e.g. `%00` in the path), or 404 for a target that is
     * not a path (`OPTIONS *`, `http://host?x`), as Envoy's connection manager answers.
     */
    BAD_REQUEST,
    /** A token was present and failed (401, or 403 for the audience). */
    DENIED_AUTHENTICATION,
    /** An AuthorizationPolicy (DENY match, or no ALLOW match) denied it: 403. */
    DENIED_AUTHORIZATION,
    /** A CUSTOM policy matched and no external authorizer allowed it. */
    DENIED_CUSTOM
  }

  Decision(
      int status,
      boolean allowed,
      Outcome outcome,
      String reason,
      Supplier<String> reasonSource,
      String policy,
      int rule,
      String principal,
      JwtStatus jwtStatus,
      String body,
      List<Map.Entry<String, String>> responseHeaders,
      UpstreamRewrite upstream,
      List<String> trace,
      ShadowResult shadow,
      VerifiedClaims claims) {
    this.status = status;
    this.allowed = allowed;
    this.outcome = Objects.requireNonNull(outcome, "outcome");
    if (reason == null && reasonSource == null) {
      throw new IllegalArgumentException("a decision has a reason");
    }
    this.reason = reason;
    this.reasonSource = reasonSource;
    this.policy = policy;
    this.rule = rule;
    this.principal = principal;
    this.jwtStatus = jwtStatus;
    this.body = body;
    this.responseHeaders = List.copyOf(responseHeaders);
    this.upstream = upstream;
    this.trace = List.copyOf(trace);
    this.shadow = shadow;
    this.claims = claims;
  }

  /** A decision given in full (for front-end tests that do not run the engine). */
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
      List<String> trace,
      ShadowResult shadow) {
    this(
        status,
        allowed,
        outcome,
        Objects.requireNonNull(reason, "reason"),
        null,
        policy,
        -1,
        principal,
        jwtStatus,
        body,
        responseHeaders,
        upstream,
        trace,
        shadow,
        null);
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

  /** The same decision with an explanation. */
  Decision withTrace(List<String> lines) {
    return new Decision(
        status,
        allowed,
        outcome,
        reason,
        reasonSource,
        policy,
        rule,
        principal,
        jwtStatus,
        body,
        responseHeaders,
        upstream,
        lines,
        shadow,
        claims);
  }

  public int status() {
    return status;
  }

  public boolean allowed() {
    return allowed;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** The readable cause, written on first use. */
  public String reason() {
    String r = reason;
    if (r == null) {
      r = reasonSource.get();
      reason = r; // racy but benign: every thread computes the same text
    }
    return r;
  }

  public String policy() {
    return policy;
  }

  /** The index of the deciding policy's rule that matched, or -1 (no policy, or not a rule). */
  public int rule() {
    return rule;
  }

  public String principal() {
    return principal;
  }

  public JwtStatus jwtStatus() {
    return jwtStatus;
  }

  public String body() {
    return body;
  }

  public List<Map.Entry<String, String>> responseHeaders() {
    return responseHeaders;
  }

  public UpstreamRewrite upstream() {
    return upstream;
  }

  public List<String> trace() {
    return trace;
  }

  public ShadowResult shadow() {
    return shadow;
  }

  /**
   * The claims of the verified token whose principal is {@link #principal()}, or null: for front
   * ends that pass claims on (ext_authz dynamic metadata). Not part of {@link #sameAnswer}: the
   * principal already names the token.
   */
  public VerifiedClaims claims() {
    return claims;
  }

  /** Same answer: every field but the explanation. */
  public boolean sameAnswer(Decision other) {
    return status == other.status
        && allowed == other.allowed
        && outcome == other.outcome
        && reason().equals(other.reason())
        && Objects.equals(policy, other.policy)
        && rule == other.rule
        && Objects.equals(principal, other.principal)
        && jwtStatus == other.jwtStatus
        && Objects.equals(body, other.body)
        && responseHeaders.equals(other.responseHeaders)
        && Objects.equals(upstream, other.upstream)
        && Objects.equals(shadow, other.shadow);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Decision other && sameAnswer(other) && trace.equals(other.trace);
  }

  @Override
  public int hashCode() {
    return Objects.hash(status, allowed, outcome, policy, rule, principal, jwtStatus);
  }

  @Override
  public String toString() {
    return "Decision[status="
        + status
        + ", allowed="
        + allowed
        + ", outcome="
        + outcome
        + ", reason="
        + reason()
        + ", policy="
        + policy
        + ", rule="
        + rule
        + ", principal="
        + principal
        + ", jwtStatus="
        + jwtStatus
        + ", body="
        + body
        + ", responseHeaders="
        + responseHeaders
        + ", upstream="
        + upstream
        + ", trace="
        + trace
        + ", shadow="
        + shadow
        + "]";
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
