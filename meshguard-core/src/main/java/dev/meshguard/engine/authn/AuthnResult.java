package dev.meshguard.engine.authn;

import dev.meshguard.jwt.JwtStatus;

/**
 * What the JWT step concluded.
 *
 * @param status OK (also when no token was present), or the failure that rejects the request
 * @param claims the verified token's claims used by authorization, or null when the request is
 *     unauthenticated
 * @param principal `iss/sub` of that token, or null
 */
public record AuthnResult(JwtStatus status, VerifiedClaims claims, String principal) {
  public boolean authenticated() {
    return claims != null;
  }
}
