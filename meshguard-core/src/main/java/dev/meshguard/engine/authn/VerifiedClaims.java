package dev.meshguard.engine.authn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshguard.jwt.Jwt;
import dev.meshguard.jwt.RegisteredClaims;
import java.util.Set;

/**
 * The claims of the token whose identity authorization uses, as Envoy's payload metadata holds them
 * (top-level space-delimited claims split into lists). Issuer and subject are at hand; the rest of
 * the payload is decoded only when a rule or an output header reads it, from the request's own
 * token (a cached token kept only its registered claims). One request's object: not shared between
 * threads.
 */
public final class VerifiedClaims {
  private final RegisteredClaims registered;
  private final Set<String> spaceDelimited;
  // The token, or the header value it was found in (payloadStart/End are offsets in this text).
  private final String token;
  private final int payloadStart;
  private final int payloadEnd;
  private ObjectNode payload;
  private ObjectNode normalized;

  VerifiedClaims(
      RegisteredClaims registered,
      Set<String> spaceDelimited,
      String token,
      int payloadStart,
      int payloadEnd,
      ObjectNode payload) {
    this.registered = registered;
    this.spaceDelimited = spaceDelimited;
    this.token = token;
    this.payloadStart = payloadStart;
    this.payloadEnd = payloadEnd;
    this.payload = payload;
  }

  /** For tests and tools: claims of a payload given as JSON, no claim split. */
  public static VerifiedClaims of(ObjectNode payload) {
    JsonNode iss = payload.get("iss");
    JsonNode sub = payload.get("sub");
    RegisteredClaims registered =
        new RegisteredClaims(
            iss != null && iss.isTextual() ? iss.textValue() : null,
            sub != null && sub.isTextual() ? sub.textValue() : null,
            null,
            java.util.List.of(),
            0,
            0,
            0);
    return new VerifiedClaims(registered, Set.of(), null, 0, 0, payload);
  }

  /**
   * `iss` when it is a string claim in the payload as authorization sees it; null when absent or
   * when the rule splits it on spaces (then it is a list, which no principal matches).
   */
  public String issuer() {
    return spaceDelimited.contains("iss") ? null : registered.issuer();
  }

  /** `sub`, under the same rule as {@link #issuer()}. */
  public String subject() {
    return spaceDelimited.contains("sub") ? null : registered.subject();
  }

  /** The registered claims, as verified. */
  public RegisteredClaims registered() {
    return registered;
  }

  /** The payload as the token carries it (decoded on first use; do not modify). */
  public ObjectNode rawPayload() {
    if (payload == null) {
      payload = Jwt.readPayload(token, payloadStart, payloadEnd);
      if (payload == null) {
        // The token verified with this very payload segment: it decoded then.
        throw new IllegalStateException("a verified token's payload no longer decodes");
      }
    }
    return payload;
  }

  /**
   * The payload as authorization matches it: top-level space-delimited string claims become lists
   * (decoded on first use; do not modify).
   */
  public ObjectNode json() {
    if (normalized == null) {
      normalized = normalize(rawPayload(), spaceDelimited);
    }
    return normalized;
  }

  /** Envoy's payload metadata: top-level space-delimited string claims become lists. */
  static ObjectNode normalize(ObjectNode payload, Set<String> spaceDelimited) {
    ObjectNode copy = null;
    for (String name : spaceDelimited) {
      JsonNode value = payload.get(name);
      if (value != null && value.isTextual()) {
        if (copy == null) {
          // The payload may be shared (a parsed token): change a copy, and only when needed. The
          // copy shares the values, which nobody modifies.
          copy = payload.objectNode();
          copy.setAll(payload);
        }
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (String part : value.asText().split(" ")) {
          if (!part.isEmpty()) {
            list.add(part);
          }
        }
        copy.set(name, list);
      }
    }
    return copy == null ? payload : copy;
  }
}
