package dev.meshguard.source;

import java.time.Duration;
import java.util.Map;

/**
 * Configuration kept up to date by someone other than files: the Kubernetes API. `serve`,
 * `extauthz`, `check` and `validate` take it instead of `--config` paths; the objects it hands out
 * went through the same reader, validation and compiler as files, with invalid objects left out
 * (see {@link ObjectQuarantine}).
 *
 * <p>A source keeps its last view through outages: {@link #current()} never goes back to nothing
 * once it has synced, and {@link #health()} says whether it is up to date.
 */
public interface ConfigSource extends AutoCloseable {

  /**
   * Waits for the first complete view, at most {@code timeout}.
   *
   * @return whether it arrived
   */
  boolean awaitFirstView(Duration timeout) throws InterruptedException;

  /** The latest view; only valid after {@link #awaitFirstView} returned true. */
  SourcedConfig current();

  /**
   * Calls {@code listener} after every new view, on the source's own thread; changes that come
   * close together make one view.
   */
  void onChange(Runnable listener);

  /** Whether the view is up to date with the source now (false while it cannot reach it). */
  boolean synced();

  /** What `/healthz/ready` and `/config_dump` show about the source; JSON-friendly values. */
  Map<String, Object> health();

  /** Stops watching. */
  @Override
  void close();
}
