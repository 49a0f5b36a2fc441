package dev.meshguard.engine.authn;

import dev.meshguard.jwt.JwkSet;
import dev.meshguard.jwt.RegisteredClaims;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;
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
 * when a rule or an output header needs it.
 *
 * <p>The table is set-associative ({@value #WAYS} slots per set, CLOCK eviction within a set) and
 * built for the garbage collector as much as for speed: a hit writes no reference (its "recently
 * used" mark is a byte in a primitive array), so hundreds of thousands of cached entries in the old
 * generation are not rescanned by every young collection, as an LRU cache's link updates made them
 * be (that cost 40-130 ms pauses with a 200k-token pool). Readers take no lock; writers race
 * benignly (a lost insert is a later miss), and an entry is returned only when its own digest, an
 * immutable field, matches the token's, so a slot replaced under a reader can never hand one token
 * another's claims. The counters are striped ({@link LongAdder}), so threads do not contend.
 *
 * <p>Size: {@value #DEFAULT_SIZE} entries, or the system property {@value #SIZE_PROPERTY} (rounded
 * up to whole sets); 0 turns the cache off. The table itself takes 13 bytes a slot (7 MB); an
 * entry, made only for a token that verified, some 300 bytes more, so a proxy that sees a few
 * thousand clients holds a few MB, and a gateway with half a million live tokens some 150 MB.
 */
public final class VerifiedTokenCache {
  /** System property with the number of tokens kept; 0 disables the cache. */
  public static final String SIZE_PROPERTY = "meshguard.jwt.cache.size";

  static final int DEFAULT_SIZE = 1 << 19;

  /** Slots per set: a miss looks at this many, a token competes with this many for a place. */
  static final int WAYS = 16;

  private final AtomicReferenceArray<Entry> slots;
  // a hint per slot (part of the digest), so a lookup touches entries only where it matches
  private final long[] tags;
  private final byte[] used;
  private final int setMask;
  private final long maximumSize;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder size = new LongAdder();

  VerifiedTokenCache(long maximumSize) {
    if (maximumSize <= 0) {
      this.maximumSize = 0;
      this.slots = null;
      this.tags = null;
      this.used = null;
      this.setMask = 0;
      return;
    }
    long capped = Math.min(maximumSize, 1L << 26);
    int sets = Integer.highestOneBit((int) Math.max(1, (capped + WAYS - 1) / WAYS));
    if ((long) sets * WAYS < capped) {
      sets <<= 1;
    }
    this.maximumSize = (long) sets * WAYS;
    this.slots = new AtomicReferenceArray<>(sets * WAYS);
    this.tags = new long[sets * WAYS];
    this.used = new byte[sets * WAYS];
    this.setMask = sets - 1;
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
   * @param digest the token's digest, compared on every lookup
   * @param verifiedWith the key set its signature verified against
   * @param claims its registered claims
   * @param payloadStart where its payload segment starts in the token
   * @param payloadEnd where its payload segment ends (exclusive)
   * @param principal `iss/sub` as authorization sees it, made once rather than on every request
   */
  record Entry(
      TokenDigest digest,
      JwkSet verifiedWith,
      RegisteredClaims claims,
      int payloadStart,
      int payloadEnd,
      String principal) {

    /** An entry whose principal is made from its claims. */
    Entry(
        TokenDigest digest,
        JwkSet verifiedWith,
        RegisteredClaims claims,
        int payloadStart,
        int payloadEnd) {
      this(
          digest,
          verifiedWith,
          claims,
          payloadStart,
          payloadEnd,
          claims == null ? null : principalOf(claims));
    }
  }

  /**
   * {@code claims} with its issuer and audiences replaced by the provider's equal strings: a cached
   * entry then holds no copy of what every token of the issuer repeats (a third of an entry's size,
   * and less for the collector to copy when entries are promoted).
   */
  static RegisteredClaims shareStrings(RegisteredClaims claims, JwtProvider provider) {
    String issuer = provider.issuer().equals(claims.issuer()) ? provider.issuer() : claims.issuer();
    List<String> audiences = claims.audiences();
    if (!audiences.isEmpty() && !provider.audiences().isEmpty()) {
      List<String> shared = new ArrayList<>(audiences.size());
      for (String audience : audiences) {
        int at = provider.audiences().indexOf(audience);
        shared.add(at < 0 ? audience : provider.audiences().get(at));
      }
      audiences = shared;
    }
    if (issuer == claims.issuer() && audiences == claims.audiences()) {
      return claims;
    }
    return new RegisteredClaims(
        issuer,
        claims.subject(),
        claims.jwtId(),
        audiences,
        claims.issuedAtUnsigned(),
        claims.notBeforeUnsigned(),
        claims.expiryUnsigned());
  }

  /** The request principal Istio derives from a token: `iss/sub`, absent claims as empty. */
  static String principalOf(RegisteredClaims claims) {
    String iss = claims.issuer() == null ? "" : claims.issuer();
    String sub = claims.subject() == null ? "" : claims.subject();
    return iss + "/" + sub;
  }

  /** The entry of a token, or null; the caller checks its key set and records a hit or miss. */
  Entry get(TokenDigest key) {
    if (slots == null || key == null) {
      return null;
    }
    int base = setOf(key);
    long tag = key.a();
    for (int i = base; i < base + WAYS; i++) {
      if (tags[i] != tag) {
        continue;
      }
      Entry e = slots.get(i);
      if (e != null && e.digest().equals(key)) {
        if (used[i] == 0) {
          used[i] = 1;
        }
        return e;
      }
    }
    return null;
  }

  private int setOf(TokenDigest key) {
    // the digest's bits are uniform: any of them picks the set
    return ((int) (key.b() >>> 17) & setMask) * WAYS;
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
    if (slots == null || key == null || !key.equals(entry.digest())) {
      return;
    }
    int base = setOf(key);
    int victim = -1;
    for (int i = base; i < base + WAYS; i++) {
      Entry e = slots.get(i);
      if (e == null) {
        victim = i;
        size.increment();
        break;
      }
      if (e.digest().equals(key)) {
        victim = i; // verified again (e.g. with rotated keys): replace
        break;
      }
    }
    if (victim < 0) {
      victim = clockVictim(base);
      evictions.increment();
    }
    used[victim] = 0;
    slots.set(victim, entry);
    tags[victim] = key.a();
  }

  /**
   * CLOCK within one set, from a random hand: the first slot not used since the last sweep, giving
   * the used ones a second chance. A token seen once is the first to go; one seen again stays.
   */
  private int clockVictim(int base) {
    int hand = ThreadLocalRandom.current().nextInt(WAYS);
    for (int n = 0; n < WAYS; n++) {
      int i = base + ((hand + n) & (WAYS - 1));
      if (used[i] == 0) {
        return i;
      }
      used[i] = 0;
    }
    return base + hand;
  }

  /** Counters since the start, for metrics. */
  public Stats stats() {
    return new Stats(hits.sum(), misses.sum(), evictions.sum(), size.sum(), maximumSize);
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
