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
    Duration timeout,
    Presence presence) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /**
   * `presence` (istio/api#3737): a REQUIRED rule's token must be present and valid; istiod then
   * leaves the provider out of `allow_missing` and out of the requirement tree's outer OR.
   */
  public enum Presence {
    OPTIONAL,
    REQUIRED
  }

  public JwtRule {
    audiences = List.copyOf(audiences);
    fromHeaders = fromHeaders == null ? null : List.copyOf(fromHeaders);
    fromParams = fromParams == null ? null : List.copyOf(fromParams);
    fromCookies = fromCookies == null ? null : List.copyOf(fromCookies);
    outputClaimToHeaders = List.copyOf(outputClaimToHeaders);
    spaceDelimitedClaims = List.copyOf(spaceDelimitedClaims);
    presence = presence == null ? Presence.OPTIONAL : presence;
  }

  /** A rule with the default presence (OPTIONAL). */
  public JwtRule(
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
    this(
        issuer,
        audiences,
        jwksUri,
        jwks,
        fromHeaders,
        fromParams,
        fromCookies,
        outputPayloadToHeader,
        outputClaimToHeaders,
        forwardOriginalToken,
        spaceDelimitedClaims,
        timeout,
        Presence.OPTIONAL);
  }

  public boolean required() {
    return presence == Presence.REQUIRED;
  }

  public String issuerOrEmpty() {
    return issuer == null ? "" : issuer;
  }

  public Duration timeoutOrDefault() {
    return timeout == null ? DEFAULT_TIMEOUT : timeout;
  }
}
