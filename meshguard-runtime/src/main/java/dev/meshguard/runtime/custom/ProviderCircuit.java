package dev.meshguard.runtime.custom;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A simple circuit per provider: after {@link #OPEN_AFTER} consecutive errors the provider is not
 * called for {@link #COOL_DOWN}; calls in that time count as errors at once (so `failOpen` and
 * `statusOnError` decide, exactly as for a provider that is down). After the cool-down one call
 * goes through: success closes the circuit, another error opens it again. Thread-safe.
 */
public final class ProviderCircuit {
  public static final int OPEN_AFTER = 5;
  static final Duration COOL_DOWN = Duration.ofSeconds(5);

  private final Clock clock;
  private final int openAfter;
  private int consecutiveErrors;
  private Instant openUntil;
  private boolean trialInFlight;

  /**
   * @param openAfter consecutive errors that open the circuit; 0 or less: it never opens
   */
  ProviderCircuit(Clock clock, int openAfter) {
    this.clock = clock;
    this.openAfter = openAfter;
  }

  /** Whether a call may go to the provider now. */
  synchronized boolean allowCall() {
    if (openUntil == null) {
      return true;
    }
    if (clock.instant().isBefore(openUntil) || trialInFlight) {
      return false;
    }
    trialInFlight = true; // half open: one call tries
    return true;
  }

  synchronized void success() {
    consecutiveErrors = 0;
    openUntil = null;
    trialInFlight = false;
  }

  synchronized void error() {
    consecutiveErrors++;
    if (openAfter > 0 && (trialInFlight || consecutiveErrors >= openAfter)) {
      openUntil = clock.instant().plus(COOL_DOWN);
    }
    trialInFlight = false;
  }

  synchronized boolean isOpen() {
    return openUntil != null;
  }
}
