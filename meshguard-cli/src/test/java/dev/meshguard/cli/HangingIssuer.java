package dev.meshguard.cli;

/**
 * The configuration of the hanging-identity-provider tests (issue 10): an issuer whose `jwksUri` is
 * a {@link SilentEndpoint}, an issuer with inline keys, `/open/*` for everyone and everything else
 * for verified tokens only.
 */
final class HangingIssuer {
  static final String HANGING = "https://hanging.meshguard.test";
  static final String INLINE = "https://inline.meshguard.test";
  static final String FETCH_FAILED = "Jwks remote fetch is failed";

  /**
   * Requests held at once: more than any decision pool meshguard ever had on this machine (one
   * thread per core, at least two), so a front end that parks a thread per waiting request stalls.
   */
  static final int HELD = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());

  private HangingIssuer() {}

  /** The policies, with the hanging issuer's rule at {@code timeout}. */
  static String policies(String hangingUri, String timeout, TestTokens inlineKeys) {
    return """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: default}
        spec:
          jwtRules:
          - issuer: %s
            jwksUri: %s
            timeout: %s
          - issuer: %s
            jwks: '%s'
            outputClaimToHeaders: [{header: x-jwt-sub, claim: sub}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: api-needs-a-token, namespace: default}
        spec:
          action: ALLOW
          rules:
          - to: [{operation: {paths: ["/open/*"]}}]
          - from: [{source: {requestPrincipals: ["*"]}}]
        """
        .formatted(HANGING, hangingUri, timeout, INLINE, inlineKeys.jwks());
  }

  /** A token of {@code issuer} signed with {@code keys}. */
  static String token(TestTokens keys, String issuer, String subject) {
    return keys.sign(TestTokens.KID, keys.claims().issuer(issuer).subject(subject).build());
  }
}
