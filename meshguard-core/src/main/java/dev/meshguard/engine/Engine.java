package dev.meshguard.engine;

import java.time.Clock;

/** The one place where requests are decided; every front end calls {@link #decide}. */
public final class Engine {
  private Engine() {}

  /** Decides one request against a snapshot. Never throws: an internal error denies. */
  public static Decision decide(PolicySnapshot snapshot, CheckRequest request, Clock clock) {
    throw new IllegalStateException("engine not built yet");
  }
}
