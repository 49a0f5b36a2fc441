package dev.meshguard.runtime;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.CustomAuthorizer;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.runtime.custom.CustomAuthorizers;
import dev.meshguard.runtime.custom.ProviderCall;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Decides requests for `serve` and `extauthz`. Production uses {@link #engine(Clock)}; tests of the
 * proxy mechanics pass a fixed decision so that they do not depend on policy semantics.
 */
@FunctionalInterface
public interface Decider {

  /** Decides, waiting on this thread for any key fetch the decision depends on. */
  Decision decide(PolicySnapshot snapshot, CheckRequest request);

  /**
   * Decides without blocking: the future is complete when this returns unless the decision waits
   * for a key fetch; then no thread is held meanwhile and the future completes on {@code resume}.
   * Cancelling it stops the wait. The default is for deciders that never wait.
   */
  default CompletableFuture<Decision> decideAsync(
      PolicySnapshot snapshot, CheckRequest request, Executor resume) {
    return CompletableFuture.completedFuture(decide(snapshot, request));
  }

  /**
   * As {@link #decideAsync(PolicySnapshot, CheckRequest, Executor)} for a request whose body was
   * buffered for a CUSTOM provider (`includeRequestBodyInCheck`): the provider is sent {@code
   * body}. The default ignores the body, for deciders that ask no provider.
   */
  default CompletableFuture<Decision> decideAsync(
      PolicySnapshot snapshot,
      CheckRequest request,
      Executor resume,
      ProviderCall.RequestBody body) {
    return decideAsync(snapshot, request, resume);
  }

  /** The engine every front end shares, asking no external authorizer (CUSTOM denies). */
  static Decider engine(Clock clock) {
    return engine(clock, CustomAuthorizer.NONE);
  }

  /**
   * The engine every front end shares; CUSTOM policies' providers are asked through {@code
   * authorizer} (without blocking in {@link #decideAsync}).
   */
  static Decider engine(Clock clock, CustomAuthorizer authorizer) {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(authorizer, "authorizer");
    return new Decider() {
      @Override
      public Decision decide(PolicySnapshot snapshot, CheckRequest request) {
        return Engine.decide(snapshot, request, clock, authorizer);
      }

      @Override
      public CompletableFuture<Decision> decideAsync(
          PolicySnapshot snapshot, CheckRequest request, Executor resume) {
        return Engine.decideAsync(snapshot, request, clock, resume, authorizer);
      }

      @Override
      public CompletableFuture<Decision> decideAsync(
          PolicySnapshot snapshot,
          CheckRequest request,
          Executor resume,
          ProviderCall.RequestBody body) {
        return Engine.decideAsync(
            snapshot, request, clock, resume, CustomAuthorizers.withBody(authorizer, body));
      }
    };
  }
}
