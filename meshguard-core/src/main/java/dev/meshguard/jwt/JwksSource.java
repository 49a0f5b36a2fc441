package dev.meshguard.jwt;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where one JWT rule's verification keys come from (inline `jwks`, a `jwksUri`, OpenID discovery).
 * Implementations are thread-safe and never block the caller: when the answer depends on a fetch in
 * flight, the lookup says so ({@link KeySetLookup#pending()}) and the caller decides whether to
 * wait for it, asynchronously, and ask again.
 */
public interface JwksSource {

  /**
   * The keys to verify with now. Never blocks. Pending only while this source has never had keys
   * and a fetch is in flight: the first keys are worth waiting for (at most the rule's timeout).
   */
  KeySetLookup current();

  /**
   * Called when a token's `kid` matched no key: the source may start a refetch (rate-limited,
   * shared with concurrent callers). Never blocks: pending while that refetch is in flight, with
   * the keys held now as the answer for a caller that does not wait.
   */
  default KeySetLookup refreshForUnknownKid(String kid) {
    return current();
  }

  /** Where the keys come from, for explanations: `inline jwks`, `jwksUri https://…`. */
  String description();

  /** A fetch in flight that a lookup's answer depends on. */
  interface PendingFetch {
    /**
     * Starts one wait: a future that completes normally when the fetch ends, or when the rule's
     * timeout has passed since this call, whichever comes first. It never completes exceptionally;
     * cancelling it ends the wait (a client that went away). Completion may run dependents on the
     * fetch's or the timer's thread: keep them short or hand them off.
     */
    CompletableFuture<Void> await();

    /** The rule's timeout: the longest one wait lasts. */
    Duration timeout();
  }

  /**
   * The keys of a lookup, or the failure status when there are none ({@link
   * JwtStatus#JWKS_FETCH_FAIL}).
   *
   * @param keys the keys to verify with now, or null
   * @param failure why there are no keys, null when there are
   * @param detail where the answer comes from, for explanations
   * @param pending a fetch that may change the answer, or null: a caller that can wait calls {@link
   *     PendingFetch#await()} and looks up again; one that cannot (or already waited) uses {@code
   *     keys} and {@code failure} as they are, so ignoring it fails closed
   */
  record KeySetLookup(JwkSet keys, JwtStatus failure, String detail, PendingFetch pending) {
    public static KeySetLookup of(JwkSet keys, String detail) {
      return new KeySetLookup(keys, null, detail, null);
    }

    public static KeySetLookup failed(JwtStatus failure, String detail) {
      return new KeySetLookup(null, failure, detail, null);
    }

    /** A lookup whose answer may change when {@code pending} ends. */
    public static KeySetLookup pending(KeySetLookup now, PendingFetch pending) {
      return new KeySetLookup(now.keys, now.failure, now.detail, pending);
    }

    public boolean ok() {
      return keys != null;
    }

    public boolean isPending() {
      return pending != null;
    }
  }

  /** A source that never has keys: every token for its rule is rejected with {@code status}. */
  static JwksSource failing(JwtStatus status, String detail, String description) {
    KeySetLookup lookup = KeySetLookup.failed(status, detail);
    return new JwksSource() {
      @Override
      public KeySetLookup current() {
        return lookup;
      }

      @Override
      public String description() {
        return description;
      }
    };
  }

  /** A fixed key set, as from an inline `jwks`. */
  static JwksSource fixed(JwkSet keys, String description) {
    KeySetLookup lookup = KeySetLookup.of(keys, description);
    return new JwksSource() {
      @Override
      public KeySetLookup current() {
        return lookup;
      }

      @Override
      public String description() {
        return description;
      }
    };
  }
}
