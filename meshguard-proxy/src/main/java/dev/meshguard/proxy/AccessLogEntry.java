package dev.meshguard.proxy;

import java.time.Instant;

/**
 * One access log line.
 *
 * @param time when the request headers arrived
 * @param requestId the `x-request-id` forwarded (generated when absent), or null
 * @param client the client address (`remote.ip`), or null
 * @param method the request method, or null when the request line was unreadable
 * @param host the `Host`/authority, or null
 * @param path the request target as received, or null
 * @param status the status sent to the client (0 when the client went away first)
 * @param outcome the decision outcome (`ALLOWED`, `DENIED_AUTHENTICATION`...) or `MALFORMED`
 * @param policy the deciding policy, or null
 * @param principal the verified `iss/sub`, or null
 * @param reason the decision reason, or why the request failed
 * @param upstreamStatus the upstream's status, or null when there was no upstream response
 * @param upstreamFailure why no upstream response arrived, or null
 * @param durationMs milliseconds from request headers to the end of the response
 * @param shadowEffectivePolicyId the dry-run rule that matched (Envoy's
 *     `shadow_effective_policy_id`), or null
 * @param shadowEngineResult what the dry-run policies would have decided, `allowed` or `denied`
 *     (Envoy's `shadow_engine_result`), or null when none was evaluated
 */
public record AccessLogEntry(
    Instant time,
    String requestId,
    String client,
    String method,
    String host,
    String path,
    int status,
    String outcome,
    String policy,
    String principal,
    String reason,
    Integer upstreamStatus,
    String upstreamFailure,
    double durationMs,
    String shadowEffectivePolicyId,
    String shadowEngineResult) {

  /** An entry without a dry-run verdict. */
  public AccessLogEntry(
      Instant time,
      String requestId,
      String client,
      String method,
      String host,
      String path,
      int status,
      String outcome,
      String policy,
      String principal,
      String reason,
      Integer upstreamStatus,
      String upstreamFailure,
      double durationMs) {
    this(
        time,
        requestId,
        client,
        method,
        host,
        path,
        status,
        outcome,
        policy,
        principal,
        reason,
        upstreamStatus,
        upstreamFailure,
        durationMs,
        null,
        null);
  }
}
