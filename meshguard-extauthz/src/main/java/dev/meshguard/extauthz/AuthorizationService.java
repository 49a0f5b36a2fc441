package dev.meshguard.extauthz;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.proxy.Decider;
import dev.meshguard.proxy.ProxyMetrics;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.stub.StreamObserver;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Envoy's `envoy.service.auth.v3.Authorization/Check`: each call is decided by the engine, with the
 * snapshot in force at that moment. Never fails open: a call that cannot be decided is denied.
 */
public final class AuthorizationService extends AuthorizationGrpc.AuthorizationImplBase {
  private final Supplier<PolicySnapshot> policies;
  private final Decider decider;
  private final int numTrustedProxies;
  private final ProxyMetrics metrics;

  public AuthorizationService(
      Supplier<PolicySnapshot> policies,
      Decider decider,
      int numTrustedProxies,
      ProxyMetrics metrics) {
    this.policies = Objects.requireNonNull(policies, "policies");
    this.decider = Objects.requireNonNull(decider, "decider");
    this.numTrustedProxies = numTrustedProxies;
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  @Override
  public void check(
      io.envoyproxy.envoy.service.auth.v3.CheckRequest request,
      StreamObserver<CheckResponse> responses) {
    long start = System.nanoTime();
    CheckResponse response;
    try {
      response = decide(request, start);
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      // the engine denies its own errors; this catches the mapping and the snapshot lookup
      metrics.request("ERROR", 403, null, System.nanoTime() - start);
      response = ExtAuthzResponses.internalError(e.getClass().getSimpleName());
    }
    responses.onNext(response);
    responses.onCompleted();
  }

  private CheckResponse decide(
      io.envoyproxy.envoy.service.auth.v3.CheckRequest request, long start) {
    CheckRequest check = ExtAuthzRequests.toCheckRequest(request, numTrustedProxies);
    Decision decision = decider.decide(policies.get(), check);
    CheckResponse response = ExtAuthzResponses.of(decision);
    if (decision.jwtStatus() != JwtStatus.OK && decision.jwtStatus() != JwtStatus.JWT_MISSED) {
      metrics.jwtFailure(decision.jwtStatus().name());
    }
    metrics.request(
        decision.outcome().name(), decision.status(), decision.policy(), System.nanoTime() - start);
    metrics.shadow(decision.shadow());
    return response;
  }
}
