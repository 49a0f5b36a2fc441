package dev.meshguard.jwks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Timers that fire only when the test advances the clock, so refresh, stale-window and wait-timeout
 * behaviour is tested without sleeping. Timer tasks run inline in {@link #advance} (they are short
 * by contract); fetches run on {@code executor}: inline (deterministic: when {@link #advance}
 * returns, the fetches it started are done) or on real threads (concurrency tests).
 */
public final class ManualScheduler implements JwksScheduler {
  private final ManualClock clock;
  private final Executor executor;
  private final List<Timer> timers = new ArrayList<>();

  private static final class Timer {
    final Instant due;
    final Runnable task;
    boolean cancelled;

    Timer(Instant due, Runnable task) {
      this.due = due;
      this.task = task;
    }
  }

  public ManualScheduler(ManualClock clock, Executor executor) {
    this.clock = clock;
    this.executor = executor;
  }

  public static ManualScheduler inline(ManualClock clock) {
    return new ManualScheduler(clock, Runnable::run);
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, Duration delay) {
    Timer timer = new Timer(clock.instant().plus(delay), task);
    timers.add(timer);
    return () -> {
      synchronized (ManualScheduler.this) {
        timer.cancelled = true;
      }
    };
  }

  @Override
  public void execute(Runnable task) {
    executor.execute(task);
  }

  /** Moves the clock by {@code d}, firing due timers in order as their time comes. */
  public void advance(Duration d) {
    Instant end = clock.instant().plus(d);
    while (true) {
      Timer next;
      synchronized (this) {
        timers.removeIf(t -> t.cancelled);
        next =
            timers.stream()
                .filter(t -> !t.due.isAfter(end))
                .min((a, b) -> a.due.compareTo(b.due))
                .orElse(null);
        if (next != null) {
          timers.remove(next);
        }
      }
      if (next == null) {
        break;
      }
      if (next.due.isAfter(clock.instant())) {
        clock.advance(Duration.between(clock.instant(), next.due));
      }
      next.task.run();
    }
    if (end.isAfter(clock.instant())) {
      clock.advance(Duration.between(clock.instant(), end));
    }
  }

  /** Pending (not cancelled) timers' due times. */
  public synchronized List<Instant> pending() {
    return timers.stream().filter(t -> !t.cancelled).map(t -> t.due).sorted().toList();
  }

  @Override
  public void close() {}
}
