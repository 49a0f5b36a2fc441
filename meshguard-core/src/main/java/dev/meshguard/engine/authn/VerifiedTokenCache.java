package dev.meshguard.engine.authn;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meshguard.jwt.JwkSet;
import dev.meshguard.jwt.Jwt;

/**
 * Remembers tokens whose signature verified, like Envoy's `jwt_cache_config`, so a client that
 * sends the same token on every request pays for the public-key operation once. Only the signature
 * result is reused, and only with the very key set that produced it: issuer, time and audience are
 * checked on every request, and rotated keys miss the cache.
 */
final class VerifiedTokenCache {
  static final int DEFAULT_SIZE = 4096;

  private final Cache<String, Entry> entries;

  VerifiedTokenCache(int maximumSize) {
    this.entries = Caffeine.newBuilder().maximumSize(maximumSize).build();
  }

  /** A parsed token and the key set its signature verified against. */
  record Entry(Jwt jwt, JwkSet verifiedWith) {}

  Entry get(String token) {
    return entries.getIfPresent(token);
  }

  void put(String token, Jwt jwt, JwkSet keys) {
    entries.put(token, new Entry(jwt, keys));
  }
}
