package dev.meshguard.jwks;

import static java.util.Objects.requireNonNull;

import dev.meshguard.jwt.JwkSet;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwtStatus;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keys fetched from a URL, kept fresh in the background and used through outages for a bounded
 * time.
 *
 * <ul>
 *   <li>Fetching is off the request path: a background refresh every {@code refreshInterval}, and
 *       retries with doubling backoff after failures. Lookups never block: while this source has
 *       never had keys and a fetch is in flight, a lookup is pending and the request may wait for
 *       it asynchronously (at most the rule's timeout, see {@link FetchWait}); concurrent waiters
 *       share one fetch and hold no thread.
 *   <li>A token with an unknown `kid` forces a fetch at once, at most one per {@code
 *       forcedRefetchMinInterval}; concurrent misses share it. A request meeting a source with no
 *       usable keys forces one the same way, so recovery follows traffic.
 *   <li>After a failure the last good keys stay in use until {@code staleWindow} after their fetch;
 *       then, and whenever there were never keys, every token gets {@link
 *       JwtStatus#JWKS_FETCH_FAIL}.
 *   <li>The only keys ever held are those parsed from a successful fetch. There is no built-in,
 *       placeholder or fallback key (CVE-2026-31837).
 * </ul>
 */
final class RemoteJwksSource implements JwksSource, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RemoteJwksSource.class.getName());

  /** One fetch: the keys and the URL they came from. */
  interface Fetch {
    Fetched run() throws FetchException;
  }

  /** Keys from a successful fetch. */
  record Fetched(JwkSet keys, String from) {
    Fetched {
      requireNonNull(keys, "keys");
      requireNonNull(from, "from");
    }
  }

  /**
   * Everything health and lookups read, replaced as a whole. {@code found} is the lookup handed to
   * requests while the keys are usable, built once per change so the request path allocates
   * nothing.
   */
  private record State(
      JwkSet keys,
      String keysFrom,
      Instant lastSuccess,
      Instant lastFailure,
      String lastError,
      long fetches,
      long failures,
      Instant nextRefresh,
      KeySetLookup found) {}

  private final String issuer;
  private final String uri;
  private final String description;
  private final Fetch fetch;
  private final Duration timeout;
  private final RemoteJwksOptions options;
  private final Clock clock;
  private final JwksScheduler scheduler;

  private final Object lock = new Object();
  private CompletableFuture<Void> inFlight; // guarded by lock
  private JwksScheduler.Cancellable nextRefresh; // guarded by lock
  private Instant lastForcedFetch; // guarded by lock
  private int failuresInRow; // guarded by lock
  private boolean closed; // guarded by lock

  private volatile State state = new State(null, null, null, null, null, 0, 0, null, null);
  private volatile Instant lastUsed;
  private final AtomicInteger waiting = new AtomicInteger();

  RemoteJwksSource(
      String issuer,
      String uri,
      String description,
      Fetch fetch,
      Duration timeout,
      RemoteJwksOptions options,
      Clock clock,
      JwksScheduler scheduler) {
    this.issuer = requireNonNull(issuer, "issuer");
    this.uri = requireNonNull(uri, "uri");
    this.description = requireNonNull(description, "description");
    this.fetch = requireNonNull(fetch, "fetch");
    this.timeout = requireNonNull(timeout, "timeout");
    this.options = requireNonNull(options, "options");
    this.clock = requireNonNull(clock, "clock");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.lastUsed = clock.instant();
  }

  /** Starts the first fetch in the background. */
  void start() {
    CompletableFuture<Void> started;
    synchronized (lock) {
      if (closed || inFlight != null) {
        return;
      }
      // Counts as forced: requests arriving during and just after it do not start another.
      started = beginLocked(clock.instant(), true);
    }
    dispatch(started);
  }

  @Override
  public KeySetLookup current() {
    Instant now = clock.instant();
    markUsed(now);
    State s = state;
    if (usable(s, now)) {
      return s.found();
    }
    CompletableFuture<Void> fetch = inFlightOrForced(now);
    // done before state is read: a fetch publishes its state before it completes
    boolean inFlight = fetch != null && !fetch.isDone();
    State after = state;
    KeySetLookup answer = lookup(after, clock.instant());
    if (inFlight && after.lastSuccess() == null) {
      return KeySetLookup.pending(
          answer,
          new FetchWait(fetch, timeout, scheduler, waiting)); // never had keys: worth waiting for
    }
    return answer;
  }

  @Override
  public KeySetLookup refreshForUnknownKid(String kid) {
    Instant now = clock.instant();
    markUsed(now);
    CompletableFuture<Void> fetch = inFlightOrForced(now);
    boolean inFlight = fetch != null && !fetch.isDone();
    KeySetLookup answer = lookup(state, clock.instant());
    return inFlight
        ? KeySetLookup.pending(answer, new FetchWait(fetch, timeout, scheduler, waiting))
        : answer;
  }

  /**
   * The fetch in flight, or a forced one started now when none is and the rate limit allows it;
   * null when there is none.
   */
  private CompletableFuture<Void> inFlightOrForced(Instant now) {
    CompletableFuture<Void> pending;
    boolean started = false;
    synchronized (lock) {
      pending = inFlight;
      if (pending == null && !closed && forcedAllowed(now)) {
        pending = beginLocked(now, true);
        started = true;
      }
    }
    if (started) {
      LOG.log(Level.DEBUG, () -> "jwks " + uri + ": no usable keys or an unknown kid, fetching");
      dispatch(pending);
    }
    return pending;
  }

  @Override
  public String description() {
    return description;
  }

  String issuer() {
    return issuer;
  }

  Instant lastUsed() {
    return lastUsed;
  }

  /** Marks this source as wanted (a rule asked for it again). */
  void touch() {
    lastUsed = clock.instant();
  }

  /** Notes use for eviction; written at most once a minute, the request path stays write-free. */
  private void markUsed(Instant now) {
    if (now.isAfter(lastUsed.plusSeconds(60))) {
      lastUsed = now;
    }
  }

  JwksSourceHealth health() {
    State s = state;
    Instant now = clock.instant();
    boolean keys = usable(s, now);
    boolean fetching;
    synchronized (lock) {
      fetching = inFlight != null;
    }
    JwksSourceHealth.Status status;
    if (keys) {
      status =
          failedSinceSuccess(s) ? JwksSourceHealth.Status.STALE : JwksSourceHealth.Status.FRESH;
    } else if (s.lastSuccess() == null && s.lastFailure() == null && fetching) {
      status = JwksSourceHealth.Status.LOADING;
    } else {
      status = JwksSourceHealth.Status.FAILED;
    }
    return new JwksSourceHealth(
        issuer,
        uri,
        description,
        status,
        keys ? s.keys().size() : 0,
        keys ? s.keysFrom() : null,
        s.lastSuccess(),
        s.lastFailure(),
        s.lastError(),
        s.fetches(),
        s.failures(),
        s.nextRefresh(),
        keys ? s.lastSuccess().plus(options.staleWindow()) : null,
        keys && s.keys().hasPrivateOrSymmetricKeyMaterial(),
        waiting.get());
  }

  /** Stops background work. Keys already fetched stay usable until their stale window ends. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (nextRefresh != null) {
        nextRefresh.cancel();
        nextRefresh = null;
      }
    }
  }

  private boolean usable(State s, Instant now) {
    return s.keys() != null && now.isBefore(s.lastSuccess().plus(options.staleWindow()));
  }

  private static boolean failedSinceSuccess(State s) {
    return s.lastFailure() != null
        && (s.lastSuccess() == null || s.lastFailure().isAfter(s.lastSuccess()));
  }

  private boolean forcedAllowed(Instant now) {
    return lastForcedFetch == null
        || !now.isBefore(lastForcedFetch.plus(options.forcedRefetchMinInterval()));
  }

  private CompletableFuture<Void> beginLocked(Instant now, boolean forced) {
    if (forced) {
      lastForcedFetch = now;
    }
    if (nextRefresh != null) {
      nextRefresh.cancel(); // rescheduled when this fetch ends
      nextRefresh = null;
    }
    CompletableFuture<Void> future = new CompletableFuture<>();
    inFlight = future;
    return future;
  }

  private void dispatch(CompletableFuture<Void> future) {
    try {
      scheduler.execute(() -> run(future));
    } catch (RuntimeException e) {
      finish(future, null, "fetch could not be started: " + e.getClass().getSimpleName());
    }
  }

  private void run(CompletableFuture<Void> future) {
    Fetched result = null;
    String error = null;
    try {
      result = fetch.run();
    } catch (FetchException e) {
      error = e.getMessage();
    } catch (RuntimeException e) {
      error = "internal error: " + e.getClass().getSimpleName();
    }
    finish(future, result, error);
  }

  private void scheduledRefresh() {
    CompletableFuture<Void> started;
    synchronized (lock) {
      nextRefresh = null;
      if (closed || inFlight != null) {
        return;
      }
      started = beginLocked(clock.instant(), false);
    }
    dispatch(started);
  }

  private void finish(CompletableFuture<Void> future, Fetched result, String error) {
    Instant now = clock.instant();
    State before;
    State after;
    synchronized (lock) {
      before = state;
      Duration delay;
      if (result != null) {
        failuresInRow = 0;
        delay = options.refreshInterval();
      } else {
        failuresInRow++;
        delay = backoff(failuresInRow);
      }
      Instant next = null;
      if (!closed) {
        try {
          nextRefresh = scheduler.schedule(this::scheduledRefresh, delay);
          next = now.plus(delay);
        } catch (RuntimeException e) {
          nextRefresh = null; // the scheduler is shutting down: no more background work
        }
      }
      after =
          result != null
              ? found(
                  new State(
                      result.keys(),
                      result.from(),
                      now,
                      before.lastFailure(),
                      before.lastError(),
                      before.fetches() + 1,
                      before.failures(),
                      next,
                      null))
              : found(
                  new State(
                      before.keys(),
                      before.keysFrom(),
                      before.lastSuccess(),
                      now,
                      error,
                      before.fetches() + 1,
                      before.failures() + 1,
                      next,
                      null));
      state = after;
      if (inFlight == future) {
        inFlight = null;
      }
    }
    future.complete(null);
    logChange(before, after, result != null);
  }

  private Duration backoff(int failures) {
    Duration cap =
        options.retryMaxBackoff().compareTo(options.refreshInterval()) < 0
            ? options.retryMaxBackoff()
            : options.refreshInterval();
    Duration delay = options.retryInitialBackoff();
    for (int i = 1; i < failures && delay.compareTo(cap) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(cap) > 0 ? cap : delay;
  }

  /**
   * Debug lines on changes between having keys and failing. Quiet by default: `check` must not
   * print to stderr for it; `serve` reports the same through {@link #health()}.
   */
  private void logChange(State before, State after, boolean success) {
    if (success && (before.lastSuccess() == null || failedSinceSuccess(before))) {
      LOG.log(
          Level.DEBUG,
          () -> "jwks " + uri + " for issuer `" + issuer + "`: " + after.keys().size() + " keys");
    } else if (!success && (before.lastFailure() == null || !failedSinceSuccess(before))) {
      LOG.log(
          Level.DEBUG,
          () -> "jwks " + uri + " for issuer `" + issuer + "`: fetch failed: " + after.lastError());
    }
  }

  /** {@code s} with the lookup requests get while its keys are usable. */
  private State found(State s) {
    if (s.keys() == null) {
      return s;
    }
    StringBuilder detail =
        new StringBuilder(description)
            .append(": ")
            .append(s.keys().size())
            .append(" keys fetched at ")
            .append(s.lastSuccess());
    if (!s.keysFrom().equals(uri)) {
      detail.append(" from `").append(s.keysFrom()).append('`');
    }
    if (failedSinceSuccess(s)) {
      detail.append(", stale: last fetch failed: ").append(s.lastError());
    }
    return new State(
        s.keys(),
        s.keysFrom(),
        s.lastSuccess(),
        s.lastFailure(),
        s.lastError(),
        s.fetches(),
        s.failures(),
        s.nextRefresh(),
        KeySetLookup.of(s.keys(), detail.toString()));
  }

  private KeySetLookup lookup(State s, Instant now) {
    if (usable(s, now)) {
      return s.found();
    }
    String why;
    if (s.keys() != null) {
      why =
          "keys fetched at "
              + s.lastSuccess()
              + " expired after the stale window; last error: "
              + s.lastError();
    } else if (s.lastError() != null) {
      why = "no keys: " + s.lastError();
    } else {
      why = "no keys yet: the first fetch has not finished";
    }
    return KeySetLookup.failed(JwtStatus.JWKS_FETCH_FAIL, description + ": " + why);
  }
}
