package dev.meshguard.policy;

import java.time.Duration;
import java.util.List;

/**
 * One `jwtRules[]` entry of a RequestAuthentication. Absent strings are null; absent lists are
 * empty. {@code fromHeaders}, {@code fromParams} and {@code fromCookies} are null when the field
 * was not set, because setting any of them (even empty) is not the same as leaving them out.
 */
public record JwtRule(
    String issuer,
    List<String> audiences,
    String jwksUri,
    String jwks,
    List<JwtHeader> fromHeaders,
    List<String> fromParams,
    List<String> fromCookies,
    String outputPayloadToHeader,
    List<ClaimToHeader> outputClaimToHeaders,
    boolean forwardOriginalToken,
    List<String> spaceDelimitedClaims,
    Duration timeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  public JwtRule {
    audiences = List.copyOf(audiences);
    fromHeaders = fromHeaders == null ? null : List.copyOf(fromHeaders);
    fromParams = fromParams == null ? null : List.copyOf(fromParams);
    fromCookies = fromCookies == null ? null : List.copyOf(fromCookies);
    outputClaimToHeaders = List.copyOf(outputClaimToHeaders);
    spaceDelimitedClaims = List.copyOf(spaceDelimitedClaims);
  }

  public String issuerOrEmpty() {
    return issuer == null ? "" : issuer;
  }

  public Duration timeoutOrDefault() {
    return timeout == null ? DEFAULT_TIMEOUT : timeout;
  }
}
