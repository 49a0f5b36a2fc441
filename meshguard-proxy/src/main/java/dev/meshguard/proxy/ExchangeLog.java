package dev.meshguard.proxy;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.authz.ShadowResult;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Instant;

/**
 * The access log line and metrics of one exchange, written exactly once whichever way it ends (a
 * response, a local reply, a client that went away).
 */
final class ExchangeLog {
  // the wall-clock start is derived when a log line is written: the hot path reads one clock
  private final long startNanos = System.nanoTime();
  private boolean logged;

  boolean logged() {
    return logged;
  }

  /**
   * Records the exchange unless it already was.
   *
   * @param outcome the decision outcome or `MALFORMED`/`ERROR`/`PAYLOAD_TOO_LARGE`
   * @param reason why, or null for the decision's reason (written only when the access log keeps
   *     entries: the hot path builds no explanation text)
   * @param upstreamStatus the upstream's status, or null
   */
  void record(
      ProxyRuntime rt,
      Downstream downstream,
      HttpRequest request,
      PolicySnapshot snapshot,
      RequestPreparer.Prepared prepared,
      Decision decision,
      int status,
      String outcome,
      String reason,
      Integer upstreamStatus,
      UpstreamFailure failure) {
    if (logged) {
      return;
    }
    logged = true;
    long nanos = System.nanoTime() - startNanos;
    String policy = decision != null ? decision.policy() : null;
    rt.metrics.request(outcome, status, policy, nanos);
    ShadowResult shadow = decision != null ? decision.shadow() : null;
    rt.metrics.shadow(shadow);
    if (!rt.accessLog.enabled()) {
      return;
    }
    CheckRequest check = prepared != null ? prepared.check() : null;
    boolean unreadable = request.decoderResult().isFailure();
    rt.accessLog.log(
        new AccessLogEntry(
            Instant.now().minusNanos(nanos),
            prepared != null ? prepared.requestId() : null,
            check != null ? check.effectiveRemoteIp() : downstream.connection().peerIp(),
            unreadable ? null : request.method().name(),
            check != null ? check.host() : null,
            unreadable ? null : loggedTarget(request, snapshot, prepared),
            status,
            outcome,
            policy,
            decision != null ? decision.principal() : null,
            reason != null ? reason : decision != null ? decision.reason() : null,
            upstreamStatus,
            failure == null ? null : failure.name(),
            nanos / 1_000_000.0,
            shadow == null ? null : shadow.effectivePolicyId(),
            shadow == null ? null : shadow.engineResult()));
  }

  /** The target as decided on (or as received), token parameter values redacted. */
  private static String loggedTarget(
      HttpRequest request, PolicySnapshot snapshot, RequestPreparer.Prepared prepared) {
    String target = prepared != null ? prepared.target() : WireText.forLog(request.uri());
    return LoggedTarget.redact(target, snapshot);
  }
}
