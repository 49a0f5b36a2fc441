package dev.meshguard.extauthz;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.Workload;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.MeshguardMetrics;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Envoy's `envoy.service.auth.v3.Authorization/Check`: each call is decided by the engine, with the
 * snapshot in force at that moment. Never fails open: a call that cannot be decided is denied.
 *
 * <p>Never blocks the thread that delivers the call: a call whose keys are being fetched is
 * answered later (when the fetch ends or its rule's timeout passes), from {@code resume}, while the
 * thread goes on with other calls. A call Envoy cancels (its own timeout) stops waiting.
 */
public final class AuthorizationService extends AuthorizationGrpc.AuthorizationImplBase {
  private final Function<Workload, PolicySnapshot> policies;
  private final RequestWorkload workloads;
  private final Decider decider;
  private final int numTrustedProxies;
  private final MeshguardMetrics metrics;
  private final Executor resume;
  private final java.util.List<String> metadataClaims;

  /**
   * One workload: every call is decided with {@code policies}.
   *
   * @param resume where calls that waited for keys are decided again: the server's call executor
   */
  public AuthorizationService(
      Supplier<PolicySnapshot> policies,
      Decider decider,
      int numTrustedProxies,
      MeshguardMetrics metrics,
      Executor resume) {
    this(workload -> policies.get(), null, decider, numTrustedProxies, metrics, resume);
  }

  /**
   * Many workloads: each call is decided with the snapshot of the workload {@code workloads} reads
   * from it.
   *
   * @param policies the snapshot of a workload (null: the command line's)
   * @param workloads which workload a call is for, or null for the command line's always
   */
  public AuthorizationService(
      Function<Workload, PolicySnapshot> policies,
      RequestWorkload workloads,
      Decider decider,
      int numTrustedProxies,
      MeshguardMetrics metrics,
      Executor resume) {
    this(policies, workloads, decider, numTrustedProxies, metrics, resume, java.util.List.of());
  }

  /**
   * @param metadataClaims claims of the verified token put into the OK answer's dynamic metadata
   *     (`*`: the whole payload), see {@link ExtAuthzResponses#of(Decision, java.util.List)}
   */
  public AuthorizationService(
      Function<Workload, PolicySnapshot> policies,
      RequestWorkload workloads,
      Decider decider,
      int numTrustedProxies,
      MeshguardMetrics metrics,
      Executor resume,
      java.util.List<String> metadataClaims) {
    this.metadataClaims = java.util.List.copyOf(metadataClaims);
    this.policies = Objects.requireNonNull(policies, "policies");
    this.workloads = workloads;
    this.decider = Objects.requireNonNull(decider, "decider");
    this.numTrustedProxies = numTrustedProxies;
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.resume = Objects.requireNonNull(resume, "resume");
  }

  // the dependent answers the call itself and handles every outcome: nothing left to report
  @SuppressWarnings("FutureReturnValueIgnored")
  @Override
  public void check(
      io.envoyproxy.envoy.service.auth.v3.CheckRequest request,
      StreamObserver<CheckResponse> responses) {
    long start = System.nanoTime();
    // set before deciding: a decision may be answered from another thread as soon as it exists
    AtomicReference<CompletableFuture<Decision>> pending = new AtomicReference<>();
    if (responses instanceof ServerCallStreamObserver<?> call) {
      call.setOnCancelHandler(
          () -> {
            CompletableFuture<Decision> d = pending.get();
            if (d != null) {
              d.cancel(false);
            }
          });
    }
    CompletableFuture<Decision> decided;
    try {
      CheckRequest check = ExtAuthzRequests.toCheckRequest(request, numTrustedProxies);
      Workload workload = workloads == null ? null : workloads.of(request);
      decided = decider.decideAsync(policies.apply(workload), check, resume);
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      // the engine denies its own errors; this catches the mapping and the snapshot lookup
      answer(responses, internalError(e, start));
      return;
    }
    pending.set(decided);
    decided.whenComplete(
        (decision, failure) -> {
          if (failure instanceof CancellationException) {
            return; // Envoy gave up on the call: nobody to answer
          }
          CheckResponse response;
          try {
            response =
                response(
                    decision,
                    failure,
                    start,
                    request.getAttributes().getRequest().getHttp().getPath());
          } catch (RuntimeException | LinkageError | StackOverflowError e) {
            response = internalError(e, start);
          }
          answer(responses, response);
        });
  }

  private static void answer(StreamObserver<CheckResponse> responses, CheckResponse response) {
    responses.onNext(response);
    responses.onCompleted();
  }

  private CheckResponse response(
      Decision decision, Throwable failure, long start, String requestPath) {
    if (decision == null) {
      return internalError(failure, start);
    }
    CheckResponse response = ExtAuthzResponses.of(decision, metadataClaims, requestPath);
    if (decision.jwtStatus() != JwtStatus.OK && decision.jwtStatus() != JwtStatus.JWT_MISSED) {
      metrics.jwtFailure(decision.jwtStatus().name());
    }
    metrics.request(
        decision.outcome().name(), decision.status(), decision.policy(), System.nanoTime() - start);
    metrics.shadow(decision.shadow());
    return response;
  }

  private CheckResponse internalError(Throwable e, long start) {
    metrics.request("ERROR", 403, null, System.nanoTime() - start);
    return ExtAuthzResponses.internalError(
        e == null ? "no decision" : e.getClass().getSimpleName());
  }
}
