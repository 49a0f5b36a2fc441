package dev.meshguard.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meshguard.jwt.JwkSet;
import dev.meshguard.jwt.JwtException;

/**
 * Inline `jwks` texts already parsed, so that a reload hands every rule whose keys did not change
 * the very same {@link JwkSet}: tokens verified before the reload stay verified (the verified-token
 * cache reuses a result only with the key set object that produced it), and the keys are not
 * rebuilt. A key set is immutable, so one text always means one key set.
 */
final class InlineKeySets {
  private static final Cache<String, JwkSet> PARSED =
      Caffeine.newBuilder().maximumSize(4096).executor(Runnable::run).build();

  private InlineKeySets() {}

  /** {@link JwkSet#parse}, answered from earlier parses of the same text. */
  static JwkSet parse(String jwks) throws JwtException {
    JwkSet known = PARSED.getIfPresent(jwks);
    if (known != null) {
      return known;
    }
    JwkSet keys = JwkSet.parse(jwks); // a failure is not remembered: it throws every time
    PARSED.put(jwks, keys);
    return keys;
  }
}
