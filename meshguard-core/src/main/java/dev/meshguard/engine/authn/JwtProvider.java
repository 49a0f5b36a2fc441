package dev.meshguard.engine.authn;

import dev.meshguard.jwt.JwksSource;
import dev.meshguard.policy.ClaimToHeader;
import java.util.List;
import java.util.Set;

/**
 * One compiled `jwtRules[]` entry (Envoy's JwtProvider `origins-<i>`): where its tokens are, which
 * issuer and audiences it accepts, its keys and what it writes into the request on success.
 *
 * @param name `origins-<i>`, the index after sorting all rules by issuer
 * @param source `namespace/name` of the RequestAuthentication and the rule index, for explanations
 * @param issuer the accepted `iss`; empty accepts any issuer
 * @param headerLocations header name (lower case) and prefix, sorted as Envoy's map orders them
 * @param queryParameters parameter names, sorted
 * @param cookies cookie names, sorted
 * @param spaceDelimitedClaims top-level claims whose string value is split on spaces
 * @param required `presence: REQUIRED`: a token must be present (no `allow_missing`)
 */
public record JwtProvider(
    String name,
    String source,
    String issuer,
    List<String> audiences,
    List<HeaderLocation> headerLocations,
    List<String> queryParameters,
    List<String> cookies,
    JwksSource keys,
    boolean forwardOriginalToken,
    String outputPayloadToHeader,
    List<ClaimToHeader> outputClaimToHeaders,
    Set<String> spaceDelimitedClaims,
    boolean required) {

  public JwtProvider {
    audiences = List.copyOf(audiences);
    headerLocations = List.copyOf(headerLocations);
    queryParameters = List.copyOf(queryParameters);
    cookies = List.copyOf(cookies);
    outputClaimToHeaders = List.copyOf(outputClaimToHeaders);
    spaceDelimitedClaims = Set.copyOf(spaceDelimitedClaims);
  }

  /** An OPTIONAL provider (the default presence). */
  public JwtProvider(
      String name,
      String source,
      String issuer,
      List<String> audiences,
      List<HeaderLocation> headerLocations,
      List<String> queryParameters,
      List<String> cookies,
      JwksSource keys,
      boolean forwardOriginalToken,
      String outputPayloadToHeader,
      List<ClaimToHeader> outputClaimToHeaders,
      Set<String> spaceDelimitedClaims) {
    this(
        name,
        source,
        issuer,
        audiences,
        headerLocations,
        queryParameters,
        cookies,
        keys,
        forwardOriginalToken,
        outputPayloadToHeader,
        outputClaimToHeaders,
        spaceDelimitedClaims,
        false);
  }

  /**
   * A header that carries tokens, with the prefix searched for in its value. A class rather than a
   * record only to hold the {@link TokenLocation} every token found there shares.
   */
  public static final class HeaderLocation {
    private final String name;
    private final String prefix;
    private final TokenLocation tokenLocation;

    public HeaderLocation(String name, String prefix) {
      this.name = java.util.Objects.requireNonNull(name, "name");
      this.prefix = java.util.Objects.requireNonNull(prefix, "prefix");
      this.tokenLocation = new TokenLocation(TokenLocation.Kind.HEADER, name);
    }

    public String name() {
      return name;
    }

    public String prefix() {
      return prefix;
    }

    /** Where a token found in this header comes from. */
    TokenLocation tokenLocation() {
      return tokenLocation;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof HeaderLocation other
          && name.equals(other.name)
          && prefix.equals(other.prefix);
    }

    @Override
    public int hashCode() {
      return 31 * name.hashCode() + prefix.hashCode();
    }

    @Override
    public String toString() {
      return "HeaderLocation[name=" + name + ", prefix=" + prefix + "]";
    }
  }

  public boolean acceptsIssuer(String tokenIssuer) {
    return issuer.isEmpty() || issuer.equals(tokenIssuer);
  }
}
