package dev.meshguard.engine.authn;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.meshguard.jwt.JwkSet;
import dev.meshguard.jwt.RegisteredClaims;
import java.util.concurrent.atomic.LongAdder;

/**
 * Remembers tokens whose signature verified, like Envoy's `jwt_cache_config`, so a client that
 * sends the same token again does not pay for the public-key operation and the parse again. Only
 * the signature result is reused, and only with the very key set that produced it: issuer, time and
 * audience are checked on every request, and rotated keys miss the cache.
 *
 * <p>One cache serves the whole process (every workload and every configuration reloaded), so a
 * reload does not make every client's token expensive again. It is sized for a gateway that sees
 * hundreds of thousands of distinct tokens: entries are keyed by the token's SHA-256 digest (32
 * bytes instead of the token) and hold only the registered claims, the key set and where the
 * payload is in the token; the rest of the payload is decoded again from the request's own token
 * when a rule or an output header needs it. Eviction work runs on the calling thread (no executor
 * hand-off), and the counters are striped ({@link LongAdder}), so threads do not contend.
 *
 * <p>Size: {@value #DEFAULT_SIZE} entries (some 200 bytes each), or the system property {@value
 * #SIZE_PROPERTY}; 0 turns the cache off.
 */
public final class VerifiedTokenCache {
  /** System property with the number of tokens kept; 0 disables the cache. */
  public static final String SIZE_PROPERTY = "meshguard.jwt.cache.size";

  static final int DEFAULT_SIZE = 1 << 18;

  private final Cache<TokenDigest, Entry> entries;
  private final long maximumSize;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder evictions = new LongAdder();

  VerifiedTokenCache(long maximumSize) {
    this.maximumSize = Math.max(0, maximumSize);
    this.entries =
        this.maximumSize == 0
            ? null
            : Caffeine.newBuilder()
                .maximumSize(this.maximumSize)
                .executor(Runnable::run)
                .evictionListener((TokenDigest k, Entry v, RemovalCause c) -> evictions.increment())
                .build();
  }

  /** The process-wide cache. */
  public static VerifiedTokenCache shared() {
    return Shared.INSTANCE;
  }

  private static final class Shared {
    static final VerifiedTokenCache INSTANCE = new VerifiedTokenCache(configuredSize());
  }

  static long configuredSize() {
    String value = System.getProperty(SIZE_PROPERTY);
    if (value == null || value.isBlank()) {
      return DEFAULT_SIZE;
    }
    try {
      return Math.max(0, Long.parseLong(value.strip()));
    } catch (NumberFormatException e) {
      return DEFAULT_SIZE;
    }
  }

  /**
   * What is kept of a verified token.
   *
   * @param verifiedWith the key set its signature verified against
   * @param claims its registered claims
   * @param payloadStart where its payload segment starts in the token
   * @param payloadEnd where its payload segment ends (exclusive)
   * @param principal `iss/sub` as authorization sees it, made once rather than on every request
   */
  record Entry(
      JwkSet verifiedWith,
      RegisteredClaims claims,
      int payloadStart,
      int payloadEnd,
      String principal) {

    /** An entry whose principal is made from its claims. */
    Entry(JwkSet verifiedWith, RegisteredClaims claims, int payloadStart, int payloadEnd) {
      this(
          verifiedWith,
          claims,
          payloadStart,
          payloadEnd,
          claims == null ? null : principalOf(claims));
    }
  }

  /** The request principal Istio derives from a token: `iss/sub`, absent claims as empty. */
  static String principalOf(RegisteredClaims claims) {
    String iss = claims.issuer() == null ? "" : claims.issuer();
    String sub = claims.subject() == null ? "" : claims.subject();
    return iss + "/" + sub;
  }

  /** The entry of a token, or null; the caller checks its key set and records a hit or miss. */
  Entry get(TokenDigest key) {
    return entries == null || key == null ? null : entries.getIfPresent(key);
  }

  /** A token found verified with the keys in force: no parse, no signature check. */
  void recordHit() {
    hits.increment();
  }

  /** A token that had to be verified (new, or verified with keys no longer in force). */
  void recordMiss() {
    misses.increment();
  }

  void put(TokenDigest key, Entry entry) {
    if (entries != null && key != null) {
      entries.put(key, entry);
    }
  }

  /** Counters since the start, for metrics. */
  public Stats stats() {
    return new Stats(
        hits.sum(),
        misses.sum(),
        evictions.sum(),
        entries == null ? 0 : entries.estimatedSize(),
        maximumSize);
  }

  /**
   * @param hits lookups that found the token verified with the keys in force
   * @param misses lookups that did not (new token, rotated keys, or the cache is off)
   * @param evictions tokens dropped to stay within the size
   * @param size tokens held now (an estimate)
   * @param maximumSize the most tokens held
   */
  public record Stats(long hits, long misses, long evictions, long size, long maximumSize) {}
}
