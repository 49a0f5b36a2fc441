package dev.meshguard.runtime;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.CustomAuthorizer;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.runtime.custom.CustomAuthorizers;
import dev.meshguard.runtime.custom.ProviderCall;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@link Decider#engine} that also records each decision in a {@link CaptureLog}, with the very
 * instant it was decided at (so a replay checks token times exactly as they were checked).
 */
public final class CapturingDecider implements Decider {
  private final Clock clock;
  private final CaptureLog capture;
  private final CustomAuthorizer authorizer;

  public CapturingDecider(Clock clock, CaptureLog capture) {
    this(clock, capture, CustomAuthorizer.NONE);
  }

  public CapturingDecider(Clock clock, CaptureLog capture, CustomAuthorizer authorizer) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.capture = Objects.requireNonNull(capture, "capture");
    this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
  }

  @Override
  public Decision decide(PolicySnapshot snapshot, CheckRequest request) {
    Instant now = clock.instant();
    Decision decision =
        Engine.decide(snapshot, request, Clock.fixed(now, ZoneOffset.UTC), authorizer);
    capture.record(now, request, decision);
    return decision;
  }

  /**
   * Without blocking when a CUSTOM provider must be asked (its call runs while the event loop goes
   * on); otherwise as {@link #decide}, which never waits for a provider.
   */
  @Override
  public CompletableFuture<Decision> decideAsync(
      PolicySnapshot snapshot, CheckRequest request, Executor resume) {
    return decideAsync(snapshot, request, resume, null);
  }

  @Override
  public CompletableFuture<Decision> decideAsync(
      PolicySnapshot snapshot,
      CheckRequest request,
      Executor resume,
      ProviderCall.RequestBody body) {
    if (authorizer == CustomAuthorizer.NONE) {
      return CompletableFuture.completedFuture(decide(snapshot, request));
    }
    Instant now = clock.instant();
    return Engine.decideAsync(
            snapshot,
            request,
            Clock.fixed(now, ZoneOffset.UTC),
            resume,
            CustomAuthorizers.withBody(authorizer, body))
        .thenApply(
            decision -> {
              capture.record(now, request, decision);
              return decision;
            });
  }
}
