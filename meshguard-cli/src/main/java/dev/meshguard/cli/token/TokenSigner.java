package dev.meshguard.cli.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Objects;

/** Makes compact JWS tokens (`header.payload.signature`) with a {@link SigningKey}. */
public final class TokenSigner {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private TokenSigner() {}

  /**
   * Signs {@code claims}.
   *
   * @param alg the algorithm, or null for the key's own (see {@link SigningKey#algorithm})
   * @param kid the header `kid`; null takes the key file's, if any
   * @param typ the header `typ`, or null for none
   */
  public static String sign(
      SigningKey key, JwsAlgorithm alg, String kid, ObjectNode claims, String typ)
      throws GeneralSecurityException {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(claims, "claims");
    JwsAlgorithm chosen = key.algorithm(alg);
    ObjectNode header = JSON.createObjectNode();
    header.put("alg", chosen.name());
    if (typ != null) {
      header.put("typ", typ);
    }
    String keyId = kid != null ? kid : key.kid();
    if (keyId != null) {
      header.put("kid", keyId);
    }
    String signingInput = segment(header) + "." + segment(claims);
    byte[] signature = key.sign(chosen, signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + B64URL.encodeToString(signature);
  }

  private static String segment(ObjectNode json) {
    try {
      return B64URL.encodeToString(JSON.writeValueAsBytes(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
