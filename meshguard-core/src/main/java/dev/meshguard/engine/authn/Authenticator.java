package dev.meshguard.engine.authn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshguard.engine.HeaderWorkingSet;
import dev.meshguard.engine.Trace;
import dev.meshguard.jwt.JwkSet;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.Jwt;
import dev.meshguard.jwt.JwtException;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.jwt.JwtVerifier;
import dev.meshguard.jwt.RegisteredClaims;
import dev.meshguard.policy.ClaimToHeader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Runs the JWT step for one request: Istio's requirement tree over the compiled providers, with
 * Envoy's rules for which status wins, what is removed from and added to the request, and whose
 * claims authorization sees.
 */
public final class Authenticator {
  private final List<JwtProvider> providers;
  private final Requirement requirement;
  private final List<String> outputHeaders;
  private final VerifiedTokenCache verified = VerifiedTokenCache.shared();

  public Authenticator(List<JwtProvider> providers) {
    this.providers = List.copyOf(providers);
    this.requirement = providers.isEmpty() ? null : Requirement.forProviders(this.providers);
    this.outputHeaders = outputHeaders(providers);
  }

  /**
   * The payload and claim headers of every provider. Envoy's provider verifiers each strip their
   * own before extracting, and an OR stops at the first provider that verifies, so with inline keys
   * a client's copy of a later provider's header survives. meshguard strips them all, whichever
   * rule verifies (a known divergence: a spoofed identity header must never reach the upstream).
   */
  private static List<String> outputHeaders(List<JwtProvider> providers) {
    Set<String> names = new LinkedHashSet<>();
    for (JwtProvider provider : providers) {
      if (provider.outputPayloadToHeader() != null && !provider.outputPayloadToHeader().isEmpty()) {
        names.add(provider.outputPayloadToHeader().toLowerCase(Locale.ROOT));
      }
      for (ClaimToHeader c : provider.outputClaimToHeaders()) {
        names.add(c.header().toLowerCase(Locale.ROOT));
      }
    }
    return List.copyOf(names);
  }

  public List<JwtProvider> providers() {
    return providers;
  }

  /**
   * Authenticates a request. {@code headers} is changed in place (sanitised outputs, removed token
   * headers, added claim headers); {@code query} is the raw query string or null. Keys being
   * fetched are taken as they are (a fetch not finished is `Jwks remote fetch is failed`).
   */
  public AuthnResult authenticate(
      String method, HeaderWorkingSet headers, String query, long nowEpochSeconds) {
    return authenticate(method, headers, query, nowEpochSeconds, source -> false, Trace.OFF);
  }

  /**
   * Authenticates a request, as above, except that a token whose keys are being fetched by a source
   * {@code mayWait} accepts stops the step with {@link KeysPending}: the caller waits for the fetch
   * and authenticates again (see {@link dev.meshguard.engine.Engine#attempt}). Explains each step
   * to {@code trace} when it records.
   */
  public AuthnResult authenticate(
      String method,
      HeaderWorkingSet headers,
      String query,
      long nowEpochSeconds,
      Predicate<JwksSource> mayWait,
      Trace trace) {
    if (requirement == null) {
      trace.add("jwt: no RequestAuthentication applies; the request is unauthenticated");
      return UNAUTHENTICATED;
    }
    for (int i = 0; i < outputHeaders.size(); i++) {
      headers.remove(outputHeaders.get(i));
    }
    if (isCorsPreflight(method, headers)) {
      trace.add(
          "jwt: CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) skips"
              + " JWT verification");
      return UNAUTHENTICATED;
    }
    Evaluation evaluation = new Evaluation(headers, query, nowEpochSeconds, mayWait, trace);
    JwtStatus status = evaluation.evaluate(requirement);
    if (status != JwtStatus.OK) {
      if (trace.on()) {
        trace.add("jwt: rejected: " + status.message() + " (" + status.httpStatus() + ")");
      }
      return new AuthnResult(status, null, null);
    }
    if (evaluation.claims == null) {
      trace.add("jwt: no token at any configured location; the request goes on unauthenticated");
      return UNAUTHENTICATED;
    }
    if (trace.on()) {
      trace.add("jwt: authenticated as `" + evaluation.principal + "`");
    }
    return new AuthnResult(JwtStatus.OK, evaluation.claims, evaluation.principal);
  }

  private static final AuthnResult UNAUTHENTICATED = new AuthnResult(JwtStatus.OK, null, null);

  private static boolean isCorsPreflight(String method, HeaderWorkingSet headers) {
    return "OPTIONS".equals(method)
        && headers.all("origin").stream().anyMatch(v -> !v.isEmpty())
        && headers.all("access-control-request-method").stream().anyMatch(v -> !v.isEmpty());
  }

  /** State of one request's evaluation. */
  private final class Evaluation {
    private final HeaderWorkingSet headers;
    private final String query;
    private final long now;
    private final Predicate<JwksSource> mayWait;
    private final Trace trace;
    private VerifiedClaims claims;
    private String principal;

    Evaluation(
        HeaderWorkingSet headers,
        String query,
        long now,
        Predicate<JwksSource> mayWait,
        Trace trace) {
      this.headers = headers;
      this.query = query;
      this.now = now;
      this.mayWait = mayWait;
      this.trace = trace;
    }

    JwtStatus evaluate(Requirement node) {
      if (node instanceof Requirement.Provider p) {
        return verifyProvider(providers.get(p.index()));
      }
      if (node instanceof Requirement.All all) {
        for (Requirement child : all.children()) {
          JwtStatus status = evaluate(child);
          if (status != JwtStatus.OK) {
            return status;
          }
        }
        return JwtStatus.OK;
      }
      Requirement.Any any = (Requirement.Any) node;
      JwtStatus result = JwtStatus.JWT_MISSED;
      for (Requirement child : any.children()) {
        JwtStatus status = evaluate(child);
        if (status == JwtStatus.OK) {
          return JwtStatus.OK;
        }
        // Envoy reports the most specific failure: a real verification error beats "unknown
        // issuer", which beats "missing".
        if (status == JwtStatus.JWT_UNKNOWN_ISSUER) {
          if (result == JwtStatus.JWT_MISSED) {
            result = status;
          }
        } else if (status != JwtStatus.JWT_MISSED) {
          result = status;
        }
      }
      if (any.allowMissing() && result == JwtStatus.JWT_MISSED) {
        return JwtStatus.OK;
      }
      return result;
    }

    private JwtStatus verifyProvider(JwtProvider provider) {
      List<ExtractedToken> tokens = TokenExtractor.extract(provider, headers, query);
      if (tokens.isEmpty()) {
        if (provider.required() && trace.on()) {
          trace.add(
              "jwt: "
                  + provider.name()
                  + " ("
                  + provider.source()
                  + ") has `presence: REQUIRED` and no token at its locations");
        }
        return JwtStatus.JWT_MISSED;
      }
      // Envoy verifies the last extracted token first, and every token must be valid.
      for (int i = tokens.size() - 1; i >= 0; i--) {
        ExtractedToken token = tokens.get(i);
        JwtStatus status = verifyToken(provider, token);
        if (trace.on()) {
          trace.add(
              "jwt: "
                  + provider.name()
                  + " ("
                  + provider.source()
                  + (provider.issuer().isEmpty()
                      ? ", any issuer"
                      : ", issuer `" + provider.issuer() + "`")
                  + "): token from "
                  + token.location()
                  + ": "
                  + (status == JwtStatus.OK ? "verified" : status.message())
                  + " (keys: "
                  + provider.keys().description()
                  + ")");
        }
        if (status != JwtStatus.OK) {
          return status;
        }
      }
      return JwtStatus.OK;
    }

    private JwtStatus verifyToken(JwtProvider provider, ExtractedToken extracted) {
      // A cached token is looked up in place in its header value; it is copied out only to parse.
      TokenDigest digest = TokenDigest.of(extracted.value(), extracted.start());
      VerifiedTokenCache.Entry cached = verified.get(digest);
      Jwt jwt = null;
      RegisteredClaims registered;
      if (cached != null) {
        registered = cached.claims();
      } else {
        try {
          jwt = Jwt.parse(extracted.token());
        } catch (JwtException e) {
          return e.status();
        }
        registered = jwt.registeredClaims();
      }
      String issuer = registered.issuer();
      if (!provider.acceptsIssuer(issuer == null ? "" : issuer)) {
        return JwtStatus.JWT_UNKNOWN_ISSUER;
      }
      JwtStatus status = JwtVerifier.verifyTime(registered, now);
      if (status != JwtStatus.OK) {
        return status;
      }
      status = JwtVerifier.verifyAudiences(registered, provider.audiences());
      if (status != JwtStatus.OK) {
        return status;
      }
      JwksSource.KeySetLookup keys = settled(provider, provider.keys().current());
      if (!keys.ok()) {
        if (trace.on()) {
          trace.add("jwt: keys for " + provider.name() + " unavailable: " + keys.detail());
        }
        return keys.failure();
      }
      String tokenPrincipal;
      if (cached != null && cached.verifiedWith() == keys.keys()) {
        verified.recordHit();
        tokenPrincipal = cached.principal();
      } else {
        verified.recordMiss();
        if (jwt == null) {
          try {
            jwt = Jwt.parse(extracted.token());
          } catch (JwtException e) {
            return e.status();
          }
        }
        tokenPrincipal = VerifiedTokenCache.principalOf(registered);
        status = verifySignature(provider, jwt, keys.keys(), digest, tokenPrincipal);
        if (status != JwtStatus.OK) {
          return status;
        }
      }
      if (jwt != null) {
        onVerified(
            provider, extracted, registered, jwt.payloadStart(), jwt.payloadEnd(), tokenPrincipal);
      } else {
        onVerified(
            provider,
            extracted,
            registered,
            cached.payloadStart(),
            cached.payloadEnd(),
            tokenPrincipal);
      }
      return JwtStatus.OK;
    }

    /** The signature check, with one refetch when the token's `kid` is unknown (rotation). */
    private JwtStatus verifySignature(
        JwtProvider provider, Jwt jwt, JwkSet keys, TokenDigest digest, String tokenPrincipal) {
      JwtStatus status = JwtVerifier.verifySignature(jwt, keys);
      JwkSet usedKeys = keys;
      if (status == JwtStatus.JWKS_KID_ALG_MISMATCH && jwt.keyId() != null) {
        JwksSource.KeySetLookup refreshed =
            settled(provider, provider.keys().refreshForUnknownKid(jwt.keyId()));
        if (refreshed.ok() && refreshed.keys() != keys) {
          usedKeys = refreshed.keys();
          status = JwtVerifier.verifySignature(jwt, usedKeys);
        }
      }
      if (status == JwtStatus.OK) {
        verified.put(
            digest,
            new VerifiedTokenCache.Entry(
                digest,
                usedKeys,
                VerifiedTokenCache.shareStrings(jwt.registeredClaims(), provider),
                jwt.payloadStart(),
                jwt.payloadEnd(),
                tokenPrincipal));
      }
      return status;
    }

    /**
     * {@code lookup} when it is final; when a fetch it depends on is in flight, stops the step to
     * wait for it if the caller may (once per source), otherwise takes it as it is.
     */
    private JwksSource.KeySetLookup settled(JwtProvider provider, JwksSource.KeySetLookup lookup) {
      if (!lookup.isPending()) {
        return lookup;
      }
      if (mayWait.test(provider.keys())) {
        throw new KeysPending(provider.keys(), lookup.pending());
      }
      if (trace.on()) {
        trace.add(
            "jwt: keys for "
                + provider.name()
                + ": no more waiting for the fetch in flight (a request waits at most "
                + lookup.pending().timeout().toMillis()
                + " ms, once per key source); deciding with the keys there are");
      }
      return lookup;
    }

    /**
     * Applies a verified token: output headers, the token header's removal, and the identity
     * authorization sees. The payload beyond the registered claims is decoded only if something
     * reads it (parsing a token does not build its JSON tree).
     */
    private void onVerified(
        JwtProvider provider,
        ExtractedToken extracted,
        RegisteredClaims registered,
        int payloadStart,
        int payloadEnd,
        String tokenPrincipal) {
      // Offsets in the token become offsets in the header value it was found in.
      String text = extracted.value();
      int start = extracted.start() + payloadStart;
      int end = extracted.start() + payloadEnd;
      VerifiedClaims verifiedClaims =
          new VerifiedClaims(registered, provider.spaceDelimitedClaims(), text, start, end, null);
      if (provider.outputPayloadToHeader() != null && !provider.outputPayloadToHeader().isEmpty()) {
        headers.set(provider.outputPayloadToHeader(), text.substring(start, end));
      }
      if (!provider.forwardOriginalToken()
          && extracted.location().kind() == TokenLocation.Kind.HEADER) {
        headers.remove(extracted.location().name());
      }
      for (ClaimToHeader c : provider.outputClaimToHeaders()) {
        String value = claimHeaderValue(verifiedClaims.rawPayload(), c.claim());
        if (value != null && !value.isEmpty()) {
          headers.set(c.header(), value);
        }
      }
      claims = verifiedClaims;
      principal = tokenPrincipal;
    }
  }

  /** The header value Envoy writes for a claim (`a.b` nests), or null when it writes none. */
  static String claimHeaderValue(ObjectNode payload, String claimPath) {
    JsonNode node = payload;
    for (String part : claimPath.split("\\.", -1)) {
      if (node == null || !node.isObject()) {
        return null;
      }
      node = node.get(part);
    }
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isBoolean()) {
      return node.asBoolean() ? "true" : "false";
    }
    if (node.isNumber()) {
      // Envoy holds JSON numbers as doubles: integral values in [0, 2^64) print as integers,
      // everything else (negative, fractional, huge) as C's `%f`, e.g. -3 -> `-3.000000`.
      double d = node.asDouble();
      if (d >= 0 && d < 0x1p64 && d == Math.rint(d)) {
        return new BigDecimal(d).toBigInteger().toString();
      }
      return String.format(Locale.ROOT, "%f", d);
    }
    if (node.isObject() || node.isArray()) {
      return Base64.getEncoder().encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
    }
    return null;
  }
}
