package dev.meshguard.kube;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Runs an action once things have been quiet for a while, like istiod's push debounce
 * (`PILOT_DEBOUNCE_AFTER` 100 ms, `PILOT_DEBOUNCE_MAX` 10 s): a burst of changes (a `kubectl apply`
 * of many objects, an informer relisting) becomes one new view instead of one per object, and a
 * steady stream of changes still gets a view at least every {@code max}. The action runs on the
 * debouncer's own thread, one at a time; a poke during a run schedules another run after it.
 */
final class Debouncer implements AutoCloseable {
  private final long quietNanos;
  private final long maxNanos;
  private final Runnable action;
  private final LongSupplier nanoTime;
  private final ScheduledExecutorService executor;
  private boolean scheduled;
  private long firstPoke;
  private long lastPoke;

  Debouncer(Duration quiet, Duration max, Runnable action, String threadName) {
    this(quiet, max, action, System::nanoTime, threadName);
  }

  Debouncer(
      Duration quiet, Duration max, Runnable action, LongSupplier nanoTime, String threadName) {
    this.quietNanos = quiet.toNanos();
    this.maxNanos = Math.max(max.toNanos(), quietNanos);
    this.action = Objects.requireNonNull(action, "action");
    this.nanoTime = nanoTime;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  /** Something changed: run the action once things are quiet. */
  synchronized void poke() {
    long now = nanoTime.getAsLong();
    lastPoke = now;
    if (!scheduled) {
      scheduled = true;
      firstPoke = now;
      schedule(quietNanos);
    }
  }

  private void schedule(long delayNanos) {
    if (!executor.isShutdown()) {
      executor.schedule(this::fire, delayNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void fire() {
    synchronized (this) {
      long now = nanoTime.getAsLong();
      long quietFor = now - lastPoke;
      if (quietFor < quietNanos && now - firstPoke < maxNanos) {
        schedule(Math.min(quietNanos - quietFor, maxNanos - (now - firstPoke)));
        return;
      }
      scheduled = false;
    }
    try {
      action.run();
    } catch (RuntimeException e) {
      // the next change tries again; never let one failure stop the thread
      System.err.println("meshguard: kubernetes: building the configuration failed: " + e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
