package dev.meshguard.jwks;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where remote sources run their background work: timers for refreshes, retries and the deadlines
 * of requests waiting for keys, and threads for fetches (blocking I/O, never on a caller's thread).
 * Replaceable so tests can move time by hand instead of sleeping.
 */
public interface JwksScheduler extends AutoCloseable {

  /**
   * Runs {@code task} once after {@code delay}; the handle cancels it. The task must be short and
   * never block (it may run on the timer's own thread): blocking work goes to {@link #execute}.
   */
  Cancellable schedule(Runnable task, Duration delay);

  /** Runs {@code task} (a fetch) soon, on a background thread. */
  void execute(Runnable task);

  /** Stops the timers and threads; pending tasks are dropped. */
  @Override
  void close();

  /** A scheduled task that can be called off. */
  interface Cancellable {
    void cancel();
  }

  /**
   * Daemon threads: one timer thread (it runs the scheduled tasks themselves), and a fetch thread
   * per concurrent fetch (at most one per source at a time), idle threads ending after a minute.
   */
  static JwksScheduler threads() {
    return new ThreadScheduler();
  }

  /** The default implementation. */
  final class ThreadScheduler implements JwksScheduler {
    private final ScheduledThreadPoolExecutor timer;
    private final java.util.concurrent.ExecutorService fetchers;

    private ThreadScheduler() {
      timer = new ScheduledThreadPoolExecutor(1, daemon("meshguard-jwks-timer"));
      // a wait's timer is cancelled when its fetch ends first: do not keep thousands of them queued
      timer.setRemoveOnCancelPolicy(true);
      fetchers =
          new java.util.concurrent.ThreadPoolExecutor(
              0,
              Integer.MAX_VALUE,
              60,
              TimeUnit.SECONDS,
              new java.util.concurrent.SynchronousQueue<>(),
              daemon("meshguard-jwks-fetch"));
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
      ScheduledFuture<?> future = timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
      fetchers.execute(task);
    }

    @Override
    public void close() {
      timer.shutdownNow();
      fetchers.shutdownNow();
    }

    private static ThreadFactory daemon(String prefix) {
      AtomicInteger count = new AtomicInteger();
      return r -> {
        Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
    }
  }
}
