package dev.meshguard.engine;

import dev.meshguard.jwt.JwksSource;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.JwtRule;

/**
 * Creates the key source for a JWT rule that has no inline `jwks` (a `jwksUri`, or OpenID discovery
 * from the issuer). Implementations may cache sources across reloads so that fetched keys survive a
 * configuration change.
 */
public interface JwksSources {

  /**
   * The source for {@code rule}; {@code config} gives the ServiceEntries and DestinationRules that
   * say how the host is reached.
   */
  JwksSource remote(JwtRule rule, ConfigSet config);
}
