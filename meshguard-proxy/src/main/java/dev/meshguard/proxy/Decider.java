package dev.meshguard.proxy;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.PolicySnapshot;
import java.time.Clock;
import java.util.Objects;

/**
 * Decides one request. Production uses {@link #engine(Clock)}; tests of the proxy mechanics pass a
 * fixed decision so that they do not depend on policy semantics. May block (a first JWKS fetch), so
 * the proxy never calls it on a Netty event loop.
 */
@FunctionalInterface
public interface Decider {
  Decision decide(PolicySnapshot snapshot, CheckRequest request);

  /** The engine every front end shares. */
  static Decider engine(Clock clock) {
    Objects.requireNonNull(clock, "clock");
    return (snapshot, request) -> Engine.decide(snapshot, request, clock);
  }
}
