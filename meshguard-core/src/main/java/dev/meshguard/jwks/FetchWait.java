package dev.meshguard.jwks;

import dev.meshguard.jwt.JwksSource.PendingFetch;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Waiting for one fetch of a remote source, without a thread: each {@link #await()} is completed by
 * the fetch's end or by its own timer, whichever comes first. The fetch itself is never cancelled
 * by a waiter that gives up; the others (and later requests) still need it.
 */
final class FetchWait implements PendingFetch {
  private final CompletableFuture<Void> fetch;
  private final Duration timeout;
  private final JwksScheduler scheduler;
  private final AtomicInteger waiting;

  /**
   * @param fetch completes when the fetch ends (never exceptionally)
   * @param waiting the source's count of waiters, kept by every wait
   */
  FetchWait(
      CompletableFuture<Void> fetch,
      Duration timeout,
      JwksScheduler scheduler,
      AtomicInteger waiting) {
    this.fetch = fetch;
    this.timeout = timeout;
    this.scheduler = scheduler;
    this.waiting = waiting;
  }

  // the dependent only completes the wait: nothing to report
  @SuppressWarnings("FutureReturnValueIgnored")
  @Override
  public CompletableFuture<Void> await() {
    OneWait wait = new OneWait(waiting);
    fetch.whenComplete((v, e) -> wait.complete(null));
    if (!wait.isDone()) {
      try {
        wait.timer = scheduler.schedule(() -> wait.complete(null), timeout);
      } catch (RuntimeException e) {
        wait.complete(null); // the scheduler is shutting down: nothing to wait with
      }
      if (wait.isDone() && wait.timer != null) {
        wait.timer.cancel(); // the fetch ended meanwhile
      }
    }
    return wait;
  }

  @Override
  public Duration timeout() {
    return timeout;
  }

  /**
   * One request's wait. It leaves the count of waiters and cancels its timer as it ends, before its
   * dependents run, so whoever sees it done sees the count without it.
   */
  private static final class OneWait extends CompletableFuture<Void> {
    private final AtomicInteger waiting;
    private final AtomicBoolean counted = new AtomicBoolean(true);
    volatile JwksScheduler.Cancellable timer;

    OneWait(AtomicInteger waiting) {
      this.waiting = waiting;
      waiting.incrementAndGet();
    }

    private void end() {
      if (counted.compareAndSet(true, false)) {
        waiting.decrementAndGet();
        JwksScheduler.Cancellable t = timer;
        if (t != null) {
          t.cancel();
        }
      }
    }

    @Override
    public boolean complete(Void value) {
      end();
      return super.complete(null); // a wait carries no value
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
      end();
      return super.completeExceptionally(ex);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      end();
      return super.cancel(mayInterruptIfRunning);
    }
  }
}
