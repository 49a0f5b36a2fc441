package dev.meshguard.engine.authn;

import static java.util.Objects.requireNonNull;

import dev.meshguard.jwt.JwksSource;

/**
 * Thrown out of the JWT step when a token's verification depends on a key fetch in flight that the
 * caller may wait for. It unwinds the requirement tree from wherever the lookup happened; {@link
 * dev.meshguard.engine.Engine#attempt} turns it into a value at once and the whole decision is made
 * again after the wait (every attempt starts from the request as received, so nothing of the
 * abandoned one leaks into the next). It never leaves the engine.
 */
public final class KeysPending extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient JwksSource source;
  private final transient JwksSource.PendingFetch fetch;

  KeysPending(JwksSource source, JwksSource.PendingFetch fetch) {
    super(null, null, false, false); // control flow: no stack trace
    this.source = requireNonNull(source, "source");
    this.fetch = requireNonNull(fetch, "fetch");
  }

  /** The source whose keys are being fetched. */
  public JwksSource source() {
    return source;
  }

  /** The fetch to wait for before deciding again. */
  public JwksSource.PendingFetch fetch() {
    return fetch;
  }
}
