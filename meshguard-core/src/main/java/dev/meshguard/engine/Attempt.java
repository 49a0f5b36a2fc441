package dev.meshguard.engine;

import dev.meshguard.jwt.JwksSource;

/**
 * One try at deciding a request without waiting: either the decision, or the key fetch the decision
 * depends on. After waiting for that fetch ({@link JwksSource.PendingFetch#await()}, at most the
 * rule's timeout), the caller tries again with {@link #source()} among the sources already waited
 * for; the engine then takes that source's keys as they are (a fetch still unfinished is `Jwks
 * remote fetch is failed`). Each source is waited for at most once per request, so the tries end.
 *
 * @param decision the decision, or null while keys are pending
 * @param source the source whose fetch is pending, or null when decided
 * @param fetch the fetch to wait for, or null when decided
 */
public record Attempt(Decision decision, JwksSource source, JwksSource.PendingFetch fetch) {
  public Attempt {
    if ((decision == null) == (fetch == null) || (fetch == null) != (source == null)) {
      throw new IllegalArgumentException("an attempt is either decided or waits for one fetch");
    }
  }

  static Attempt decided(Decision decision) {
    return new Attempt(decision, null, null);
  }

  static Attempt waitFor(JwksSource source, JwksSource.PendingFetch fetch) {
    return new Attempt(null, source, fetch);
  }

  public boolean isDecided() {
    return decision != null;
  }
}
