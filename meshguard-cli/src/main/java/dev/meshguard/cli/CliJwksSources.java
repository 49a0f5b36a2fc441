package dev.meshguard.cli;

import dev.meshguard.engine.JwksSources;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.JwtRule;

/** Key sources for the CLI commands. Remote fetching arrives with the jwks package. */
final class CliJwksSources implements JwksSources, AutoCloseable {
  @Override
  public JwksSource remote(JwtRule rule, ConfigSet config) {
    String where = rule.jwksUri() != null ? "jwksUri " + rule.jwksUri() : "OpenID discovery";
    JwksSource.KeySetLookup failed =
        JwksSource.KeySetLookup.failed(JwtStatus.JWKS_FETCH_FAIL, where + ": not fetched");
    return new JwksSource() {
      @Override
      public KeySetLookup current() {
        return failed;
      }

      @Override
      public String description() {
        return where;
      }
    };
  }

  @Override
  public void close() {}
}
