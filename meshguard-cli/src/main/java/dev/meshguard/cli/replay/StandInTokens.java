package dev.meshguard.cli.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshguard.cli.token.JwsAlgorithm;
import dev.meshguard.cli.token.SigningKey;
import dev.meshguard.cli.token.TokenSigner;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.JwtRule;
import dev.meshguard.policy.RequestAuthentication;
import dev.meshguard.runtime.CaptureFormat;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Replays tokens that a capture kept only as claims. Each becomes a stand-in token with the same
 * claims (and `kid`), signed with a key made for this replay; the configuration under test trusts
 * that key in place of its own in every jwtRule. So issuer, audiences, times, token locations,
 * claims and everything authorization reads are decided again by the engine; only the signature is
 * taken as the capture saw it: a token whose signature failed gets a stand-in whose signature
 * fails. (Key changes themselves are replayed only from a `--capture-tokens` capture.)
 */
public final class StandInTokens {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Fails to parse as Envoy would for any token that did not parse. */
  static final String MALFORMED = "malformed-token";

  private final SigningKey key;
  private final SigningKey otherKey;
  private final String jwks;

  public StandInTokens() {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    byte[] other = new byte[32];
    RANDOM.nextBytes(other);
    this.key = SigningKey.secret(secret, null, JwsAlgorithm.HS256);
    this.otherKey = SigningKey.secret(other, null, JwsAlgorithm.HS256);
    this.jwks =
        "{\"keys\":[{\"kty\":\"oct\",\"k\":\""
            + Base64.getUrlEncoder().withoutPadding().encodeToString(secret)
            + "\"}]}";
  }

  /** {@code config} with every jwtRule trusting the stand-in key instead of its own keys. */
  public ConfigSet trustStandIns(ConfigSet config) {
    List<RequestAuthentication> edited = new ArrayList<>();
    for (RequestAuthentication ra : config.requestAuthentications()) {
      List<JwtRule> rules = new ArrayList<>();
      for (JwtRule r : ra.jwtRules()) {
        rules.add(
            new JwtRule(
                r.issuer(),
                r.audiences(),
                null,
                jwks,
                r.fromHeaders(),
                r.fromParams(),
                r.fromCookies(),
                r.outputPayloadToHeader(),
                r.outputClaimToHeaders(),
                r.forwardOriginalToken(),
                r.spaceDelimitedClaims(),
                r.timeout()));
      }
      edited.add(
          new RequestAuthentication(
              ra.origin(), ra.metadata(), ra.selector(), ra.targetRefs(), rules));
    }
    return new ConfigSet(
        edited,
        config.authorizationPolicies(),
        config.serviceEntries(),
        config.destinationRules(),
        config.findings(),
        config.notices());
  }

  /** {@code text} with each token marker replaced by its stand-in. */
  public String resolve(String text, List<JsonNode> tokens) {
    Matcher m = CaptureFormat.MARKER.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    do {
      int index = Integer.parseInt(m.group(1));
      String token = index < tokens.size() ? standIn(tokens.get(index)) : MALFORMED;
      m.appendReplacement(out, Matcher.quoteReplacement(token));
    } while (m.find());
    m.appendTail(out);
    return out.toString();
  }

  private String standIn(JsonNode token) {
    if (token.has("malformed") || !token.path("claims").isObject()) {
      return MALFORMED;
    }
    JsonNode header = token.path("header");
    String kid = header.hasNonNull("kid") ? header.path("kid").asText() : null;
    String typ = header.hasNonNull("typ") ? header.path("typ").asText() : null;
    boolean broken = token.path("signature").asText().equals("invalid");
    try {
      return TokenSigner.sign(
          broken ? otherKey : key, JwsAlgorithm.HS256, kid, (ObjectNode) token.path("claims"), typ);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }
}
