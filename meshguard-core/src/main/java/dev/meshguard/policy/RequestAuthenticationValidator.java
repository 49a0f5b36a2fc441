package dev.meshguard.policy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What istiod's `ValidateRequestAuthentication` checks, plus the CRD schema's limits (which the API
 * server enforces before istiod sees the object). The inline `jwks` is parsed by the engine, not
 * here; we only look for private key members, which istiod warns about.
 */
final class RequestAuthenticationValidator {
  private static final int MAX_RULES = 4096;
  private static final int MAX_JWKS_URI_LENGTH = 2048;
  private static final int MAX_SPACE_DELIMITED_CLAIMS = 64;
  private static final Pattern STRICT_HEADER_NAME = Pattern.compile("^[-_A-Za-z0-9]+$");
  private static final Pattern URI_SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):");
  private static final ObjectMapper JSON = new ObjectMapper();

  private RequestAuthenticationValidator() {}

  static void validate(RequestAuthentication authentication, FindingSink sink) {
    AttachmentChecks.check(authentication, sink);
    List<JwtRule> rules = authentication.jwtRules();
    if (rules.size() > MAX_RULES) {
      sink.error("spec.jwtRules", "must have at most " + MAX_RULES + " items");
    }
    for (int i = 0; i < rules.size(); i++) {
      checkRule(rules.get(i), Paths.index("spec.jwtRules", i), sink);
    }
    DryRunAnnotation.check(authentication, sink);
  }

  private static void checkRule(JwtRule rule, String path, FindingSink sink) {
    List<String> audiences = rule.audiences();
    for (int i = 0; i < audiences.size(); i++) {
      if (audiences.get(i).isEmpty()) {
        sink.error(Paths.index(path + ".audiences", i), "audience must be non-empty string");
      }
    }
    if (rule.issuer() != null && rule.issuer().isEmpty()) {
      // istiod would accept it, but the CRD schema (minLength 1) makes the API server refuse it.
      sink.error(
          path + ".issuer",
          "must not be empty (the CRD requires at least 1 character);"
              + " leave `issuer` out to accept tokens from any issuer");
    }
    if (Text.isNullOrEmpty(rule.issuer()) && Text.isNullOrEmpty(rule.jwksUri())) {
      sink.error(path, "issuer or jwksUri must be non-empty string");
    }
    if (rule.jwksUri() != null) {
      checkJwksUri(rule.jwksUri(), path + ".jwksUri", sink);
    }
    if (rule.jwks() != null && rule.jwksUri() != null) {
      sink.error(path, "only one of jwks or jwksUri can be set");
    }
    if (!Text.isNullOrEmpty(rule.jwks())) {
      warnPrivateKeys(rule.jwks(), path + ".jwks", sink);
    }
    checkLocations(rule, path, sink);
    List<ClaimToHeader> claims = rule.outputClaimToHeaders();
    for (int i = 0; i < claims.size(); i++) {
      ClaimToHeader claim = claims.get(i);
      String claimPath = Paths.index(path + ".outputClaimToHeaders", i);
      if (Text.isNullOrEmpty(claim.claim()) || Text.isNullOrEmpty(claim.header())) {
        sink.error(
            claimPath, "outputClaimToHeaders header and claim value must be non-empty string");
      } else if (!STRICT_HEADER_NAME.matcher(claim.header()).matches()) {
        sink.error(
            claimPath + ".header",
            "header name " + Text.quote(claim.header()) + " is not a valid header name");
      }
    }
    List<String> spaceDelimited = rule.spaceDelimitedClaims();
    if (spaceDelimited.size() > MAX_SPACE_DELIMITED_CLAIMS) {
      sink.error(
          path + ".spaceDelimitedClaims",
          "must have at most " + MAX_SPACE_DELIMITED_CLAIMS + " items");
    }
    for (int i = 0; i < spaceDelimited.size(); i++) {
      if (spaceDelimited.get(i).isEmpty()) {
        sink.error(
            Paths.index(path + ".spaceDelimitedClaims", i), "claim name must be non-empty string");
      }
    }
    Duration timeout = rule.timeout();
    if (timeout != null) {
      if (timeout.compareTo(Duration.ofMillis(1)) < 0) {
        sink.error(path + ".timeout", "duration must be greater than 1ms");
      } else if (!timeout.truncatedTo(ChronoUnit.MILLIS).equals(timeout)) {
        sink.error(path + ".timeout", "only durations to ms precision are supported");
      }
    }
  }

  private static void checkLocations(JwtRule rule, String path, FindingSink sink) {
    List<JwtHeader> headers = rule.fromHeaders() == null ? List.of() : rule.fromHeaders();
    for (int i = 0; i < headers.size(); i++) {
      if (Text.isNullOrEmpty(headers.get(i).name())) {
        sink.error(
            Paths.index(path + ".fromHeaders", i) + ".name",
            "location header name must be non-empty string");
      }
    }
    List<String> params = rule.fromParams() == null ? List.of() : rule.fromParams();
    for (int i = 0; i < params.size(); i++) {
      if (params.get(i).isEmpty()) {
        sink.error(Paths.index(path + ".fromParams", i), "location query must be non-empty string");
      }
    }
    List<String> cookies = rule.fromCookies() == null ? List.of() : rule.fromCookies();
    for (int i = 0; i < cookies.size(); i++) {
      if (cookies.get(i).isEmpty()) {
        sink.error(Paths.index(path + ".fromCookies", i), "cookie name must be non-empty string");
      }
    }
  }

  /** istiod: scheme http or https (`ParseJwksURI`); CRD: 1 to 2048 characters. */
  private static void checkJwksUri(String jwksUri, String path, FindingSink sink) {
    if (jwksUri.isEmpty()) {
      sink.error(path, "must not be empty (the CRD requires at least 1 character)");
      return;
    }
    if (jwksUri.length() > MAX_JWKS_URI_LENGTH) {
      sink.error(path, "must be at most " + MAX_JWKS_URI_LENGTH + " characters");
    }
    var scheme = URI_SCHEME.matcher(jwksUri);
    String name = scheme.find() ? scheme.group(1).toLowerCase(Locale.ROOT) : "";
    if (!name.equals("http") && !name.equals("https")) {
      sink.error(path, "URI scheme " + Text.quote(name) + " is not supported");
      return;
    }
    try {
      URI uri = new URI(jwksUri);
      if (uri.getHost() == null) {
        if (uri.getRawAuthority() != null) {
          sink.error(path, "invalid host or port in " + Text.quote(jwksUri));
        } else {
          sink.warning(path, "no host in " + Text.quote(jwksUri) + ": keys can never be fetched");
        }
      }
    } catch (URISyntaxException e) {
      sink.error(path, "invalid URI " + Text.quote(jwksUri) + ": " + Text.clip(e.getReason()));
    }
  }

  /**
   * istiod's warning for private or symmetric key material in an inline set. Only JSON members are
   * looked at (`d` is the private part of RSA, EC and OKP keys; `oct` keys are shared secrets);
   * whether the set parses is the engine's business.
   */
  private static void warnPrivateKeys(String jwks, String path, FindingSink sink) {
    JsonNode keys;
    try {
      keys = JSON.readTree(jwks).path("keys");
    } catch (JacksonException | RuntimeException e) {
      return;
    }
    for (int i = 0; i < keys.size(); i++) {
      JsonNode key = keys.get(i);
      if (key.has("d") || key.path("kty").asText().equals("oct")) {
        sink.warning(
            path,
            "jwks key at index "
                + i
                + " contains private key material; only public keys are used for verification");
      }
    }
  }
}
