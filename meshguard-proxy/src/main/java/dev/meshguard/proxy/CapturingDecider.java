package dev.meshguard.proxy;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.PolicySnapshot;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * {@link Decider#engine} that also records each decision in a {@link CaptureLog}, with the very
 * instant it was decided at (so a replay checks token times exactly as they were checked).
 */
public final class CapturingDecider implements Decider {
  private final Clock clock;
  private final CaptureLog capture;

  public CapturingDecider(Clock clock, CaptureLog capture) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.capture = Objects.requireNonNull(capture, "capture");
  }

  @Override
  public Decision decide(PolicySnapshot snapshot, CheckRequest request) {
    Instant now = clock.instant();
    Decision decision = Engine.decide(snapshot, request, Clock.fixed(now, ZoneOffset.UTC));
    capture.record(now, request, decision);
    return decision;
  }
}
