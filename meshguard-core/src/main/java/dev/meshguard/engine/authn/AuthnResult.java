package dev.meshguard.engine.authn;

import dev.meshguard.jwt.JwtStatus;
import java.util.List;

/**
 * What the JWT step concluded.
 *
 * @param status OK (also when no token was present), or the failure that rejects the request
 * @param claims the verified payload used by authorization (space-delimited claims split), or null
 *     when the request is unauthenticated
 * @param principal `iss/sub` of that token, or null
 * @param trace what happened, for explanations
 */
public record AuthnResult(
    JwtStatus status, VerifiedClaims claims, String principal, List<String> trace) {
  public AuthnResult {
    trace = List.copyOf(trace);
  }

  public boolean authenticated() {
    return claims != null;
  }
}
