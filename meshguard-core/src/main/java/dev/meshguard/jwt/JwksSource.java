package dev.meshguard.jwt;

/**
 * Where one JWT rule's verification keys come from (inline `jwks`, a `jwksUri`, OpenID discovery).
 * Implementations are thread-safe; the request path only calls {@link #current()}.
 */
public interface JwksSource {

  /**
   * The keys to verify with now. Returns quickly when keys are loaded; may wait (at most the rule's
   * timeout) only when this source has never had keys.
   */
  KeySetLookup current();

  /**
   * Called when a token's `kid` matched no key: the source may refetch (rate-limited, shared with
   * concurrent callers) and returns the keys to retry with.
   */
  default KeySetLookup refreshForUnknownKid(String kid) {
    return current();
  }

  /** Where the keys come from, for explanations: `inline jwks`, `jwksUri https://…`. */
  String description();

  /**
   * The keys of a lookup, or the failure status when there are none ({@link
   * JwtStatus#JWKS_FETCH_FAIL}).
   */
  record KeySetLookup(JwkSet keys, JwtStatus failure, String detail) {
    public static KeySetLookup of(JwkSet keys, String detail) {
      return new KeySetLookup(keys, null, detail);
    }

    public static KeySetLookup failed(JwtStatus failure, String detail) {
      return new KeySetLookup(null, failure, detail);
    }

    public boolean ok() {
      return keys != null;
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
