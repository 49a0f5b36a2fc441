package dev.meshguard.cli;

import dev.meshguard.engine.JwksSources;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.JwtRule;

/** Key sources that never touch the network: `validate` checks configuration, not endpoints. */
final class OfflineJwksSources implements JwksSources {
  @Override
  public JwksSource remote(JwtRule rule, ConfigSet config) {
    String where = rule.jwksUri() != null ? "jwksUri " + rule.jwksUri() : "OpenID discovery";
    return JwksSource.failing(JwtStatus.JWKS_FETCH_FAIL, where + ": not fetched (offline)", where);
  }
}
