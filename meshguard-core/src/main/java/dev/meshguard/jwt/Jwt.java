package dev.meshguard.jwt;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A parsed (not yet verified) compact JWS, checked the way Envoy's jwt_verify_lib parses tokens
 * ({@code Jwt::parseFromString}): the first failing check, in Envoy's order, is the status of the
 * {@link JwtException}.
 *
 * <p>Instances are immutable and thread-safe; {@link #header()} and {@link #payload()} return the
 * shared parsed trees, which callers must not modify.
 */
public final class Jwt {
  /**
   * Longest token accepted, in characters. Envoy has no token limit of its own, but a token reaches
   * it in a request header or in {@code :path}, and Envoy's default limit for all request headers
   * together is 60 KiB ({@code max_request_headers_kb}); anything longer could never have been
   * verified by Envoy. The cap bounds the work an attacker can cause per token.
   */
  public static final int MAX_TOKEN_LENGTH = 64 * 1024;

  private static final Set<String> IMPLEMENTED_ALGORITHMS =
      Set.of(
          "ES256", "ES384", "ES512", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256",
          "PS384", "PS512", "EdDSA");

  private final String token;
  // [start, end) of each segment in the token: Envoy drops empty parts, so they need not be
  // adjacent (`h..p.s`).
  private final int headerStart;
  private final int headerEnd;
  private final int payloadStart;
  private final int payloadEnd;
  private final int signatureStart;
  private final int signatureEnd;
  private final ObjectNode header;
  private final ObjectNode payload;
  private final String algorithm;
  private final String keyId;
  private final RegisteredClaims claims;
  private final byte[] signature;

  private Jwt(Builder b) {
    this.token = b.token;
    this.headerStart = b.bounds[0];
    this.headerEnd = b.bounds[1];
    this.payloadStart = b.bounds[2];
    this.payloadEnd = b.bounds[3];
    this.signatureStart = b.bounds[4];
    this.signatureEnd = b.bounds[5];
    this.header = b.header;
    this.payload = b.payload;
    this.algorithm = b.algorithm;
    this.keyId = b.keyId;
    this.claims = b.claims;
    this.signature = b.signature;
  }

  /** Parses a token; the exception carries the Envoy status of the first problem. */
  public static Jwt parse(String token) throws JwtException {
    requireNonNull(token, "token");
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw new JwtException(JwtStatus.JWT_BAD_FORMAT);
    }
    Builder b = new Builder();
    b.token = token;

    // Envoy splits on '.' and drops empty parts, so `a..b.c` has three parts and `a.b.` two.
    int[] bounds = new int[6];
    int parts = 0;
    int start = 0;
    for (int i = 0; i <= token.length(); i++) {
      if (i == token.length() || token.charAt(i) == '.') {
        if (i > start) {
          if (parts == 3) {
            throw new JwtException(JwtStatus.JWT_BAD_FORMAT);
          }
          bounds[2 * parts] = start;
          bounds[2 * parts + 1] = i;
          parts++;
        }
        start = i + 1;
      }
    }
    if (parts != 3) {
      throw new JwtException(JwtStatus.JWT_BAD_FORMAT);
    }
    b.bounds = bounds;

    b.header =
        parseSegment(
            token,
            bounds[0],
            bounds[1],
            JwtStatus.JWT_HEADER_PARSE_ERROR_BAD_BASE64,
            JwtStatus.JWT_HEADER_PARSE_ERROR_BAD_JSON);
    JsonNode alg = b.header.get("alg");
    if (alg == null || !alg.isTextual()) {
      throw new JwtException(JwtStatus.JWT_HEADER_BAD_ALG);
    }
    b.algorithm = alg.textValue();
    if (!IMPLEMENTED_ALGORITHMS.contains(b.algorithm)) {
      throw new JwtException(JwtStatus.JWT_HEADER_NOT_IMPLEMENTED_ALG);
    }
    b.keyId = optionalString(b.header, "kid", JwtStatus.JWT_HEADER_BAD_KID);

    b.payload =
        parseSegment(
            token,
            bounds[2],
            bounds[3],
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_BASE64,
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_JSON);
    ObjectNode claims = b.payload;
    String issuer = optionalString(claims, "iss", JwtStatus.JWT_PAYLOAD_PARSE_ERROR_ISS_NOT_STRING);
    String subject =
        optionalString(claims, "sub", JwtStatus.JWT_PAYLOAD_PARSE_ERROR_SUB_NOT_STRING);
    long issuedAt =
        optionalUnsigned(
            claims,
            "iat",
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_IAT_NOT_INTEGER,
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_IAT_OUT_OF_RANGE);
    long notBefore =
        optionalUnsigned(
            claims,
            "nbf",
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_NBF_NOT_INTEGER,
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_NBF_OUT_OF_RANGE);
    long expiry =
        optionalUnsigned(
            claims,
            "exp",
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_EXP_NOT_INTEGER,
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_EXP_OUT_OF_RANGE);
    String jwtId = optionalString(claims, "jti", JwtStatus.JWT_PAYLOAD_PARSE_ERROR_JTI_NOT_STRING);
    b.claims =
        new RegisteredClaims(
            issuer, subject, jwtId, audiences(claims), issuedAt, notBefore, expiry);

    b.signature = Base64Url.decode(token, bounds[4], bounds[5]);
    if (b.signature == null) {
      throw new JwtException(JwtStatus.JWT_SIGNATURE_PARSE_ERROR_BAD_BASE64);
    }
    return new Jwt(b);
  }

  /**
   * The payload JSON of a token that {@link #parse} accepted, from its payload segment ({@code
   * token[start, end)}, see {@link #payloadStart()}): for callers that kept only the {@link
   * RegisteredClaims} of a verified token and read the other claims when they need them. Null when
   * the segment is not a payload {@link #parse} would accept.
   */
  public static ObjectNode readPayload(String token, int start, int end) {
    try {
      return parseSegment(
          token,
          start,
          end,
          JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_BASE64,
          JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_JSON);
    } catch (JwtException e) {
      return null;
    }
  }

  private static ObjectNode parseSegment(
      String token, int start, int end, JwtStatus badBase64, JwtStatus badJson)
      throws JwtException {
    byte[] bytes = Base64Url.decode(token, start, end);
    if (bytes == null) {
      throw new JwtException(badBase64);
    }
    String json = decodeUtf8(bytes);
    ObjectNode object = json == null ? null : EnvoyJson.parseDecodedObject(json);
    if (object == null) {
      throw new JwtException(badJson);
    }
    return object;
  }

  /** Strict UTF-8; null when malformed. Pure ASCII, the usual case, skips the decoder. */
  private static String decodeUtf8(byte[] bytes) {
    boolean ascii = true;
    for (byte b : bytes) {
      if (b < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(bytes, StandardCharsets.US_ASCII);
    }
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * Envoy's {@code StructUtils::GetString}: absent is fine, anything but a string (null too) not.
   */
  private static String optionalString(ObjectNode object, String name, JwtStatus wrongType)
      throws JwtException {
    JsonNode value = object.get(name);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      throw new JwtException(wrongType);
    }
    return value.textValue();
  }

  /**
   * Envoy's {@code StructUtils::GetUInt64}: a JSON number (a double), in [0, 2^64), truncated. The
   * result is an unsigned 64-bit value held in a long.
   */
  private static long optionalUnsigned(
      ObjectNode object, String name, JwtStatus wrongType, JwtStatus outOfRange)
      throws JwtException {
    JsonNode value = object.get(name);
    if (value == null) {
      return 0;
    }
    if (!value.isNumber()) {
      throw new JwtException(wrongType);
    }
    double number = value.doubleValue();
    if (number < 0 || number >= 0x1p64) {
      throw new JwtException(outOfRange);
    }
    if (number < 0x1p63) {
      return (long) number;
    }
    // [2^63, 2^64): doubles there are whole numbers; keep the bits of the unsigned value.
    return (long) (number - 0x1p63) | Long.MIN_VALUE;
  }

  /** Envoy's {@code StructUtils::GetStringList}: a string or an array of only strings. */
  private static List<String> audiences(ObjectNode claims) throws JwtException {
    JsonNode aud = claims.get("aud");
    if (aud == null) {
      return List.of();
    }
    if (aud.isTextual()) {
      return List.of(aud.textValue());
    }
    if (!aud.isArray()) {
      throw new JwtException(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_AUD_NOT_STRING);
    }
    List<String> values = new ArrayList<>(aud.size());
    for (JsonNode element : aud) {
      if (!element.isTextual()) {
        throw new JwtException(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_AUD_NOT_STRING);
      }
      values.add(element.textValue());
    }
    return List.copyOf(values);
  }

  /** The token exactly as given to {@link #parse}. */
  public String token() {
    return token;
  }

  /** The header `alg`, one of the 13 algorithms Envoy implements. */
  public String algorithm() {
    return algorithm;
  }

  /**
   * Null when the header has no `kid`. Envoy treats an empty `kid` like a missing one when choosing
   * keys.
   */
  public String keyId() {
    return keyId;
  }

  /** Null when absent. Envoy treats a missing `iss` as the empty string. */
  public String issuer() {
    return claims.issuer();
  }

  /** Null when absent. */
  public String subject() {
    return claims.subject();
  }

  /** The `jti` claim; null when absent. */
  public String jwtId() {
    return claims.jwtId();
  }

  /** The `aud` claim as a list (a string becomes one element); empty when absent. */
  public List<String> audiences() {
    return claims.audiences();
  }

  /** `iat` in epoch seconds, 0 when absent; values from 2^63 on read as {@link Long#MAX_VALUE}. */
  public long issuedAt() {
    return claims.issuedAt();
  }

  /** `nbf` in epoch seconds, 0 when absent; values from 2^63 on read as {@link Long#MAX_VALUE}. */
  public long notBefore() {
    return claims.notBefore();
  }

  /** `exp` in epoch seconds, 0 when absent; values from 2^63 on read as {@link Long#MAX_VALUE}. */
  public long expiry() {
    return claims.expiry();
  }

  /** The registered claims alone (what a verified-token cache keeps). */
  public RegisteredClaims registeredClaims() {
    return claims;
  }

  /** The decoded header JSON (shared: do not modify). */
  public ObjectNode header() {
    return header;
  }

  /**
   * The decoded payload JSON (shared: do not modify). Numbers are the doubles Envoy keeps; integral
   * ones that fit are {@code long} nodes.
   */
  public ObjectNode payload() {
    return payload;
  }

  /** The header segment exactly as it appears in the token (base64url). */
  public String headerSegment() {
    return token.substring(headerStart, headerEnd);
  }

  /** The payload segment exactly as it appears in the token (base64url). */
  public String payloadSegment() {
    return token.substring(payloadStart, payloadEnd);
  }

  /** Where the payload segment starts in {@link #token()}. */
  public int payloadStart() {
    return payloadStart;
  }

  /** Where the payload segment ends (exclusive) in {@link #token()}. */
  public int payloadEnd() {
    return payloadEnd;
  }

  /** The signature segment exactly as it appears in the token (base64url). */
  public String signatureSegment() {
    return token.substring(signatureStart, signatureEnd);
  }

  /** The decoded signature bytes (a copy). */
  public byte[] signature() {
    return signature.clone();
  }

  /** The bytes the signature covers, `header.payload` as Envoy rebuilds them (a copy). */
  public byte[] signingInput() {
    return signingInputBytes();
  }

  byte[] signatureBytes() {
    return signature;
  }

  /**
   * What Envoy verifies: the two first parts as split, joined by a dot, which differs from the
   * token's own prefix when the token holds empty parts (`h..p.s`). Made when a signature is
   * checked (once per token with a cache) rather than kept with every parsed token. The segments
   * decoded as base64url, so every character is ASCII.
   */
  byte[] signingInputBytes() {
    int headerLength = headerEnd - headerStart;
    byte[] out = new byte[headerLength + 1 + payloadEnd - payloadStart];
    int at = 0;
    for (int i = headerStart; i < headerEnd; i++) {
      out[at++] = (byte) token.charAt(i);
    }
    out[at++] = '.';
    for (int i = payloadStart; i < payloadEnd; i++) {
      out[at++] = (byte) token.charAt(i);
    }
    return out;
  }

  @Override
  public String toString() {
    return "Jwt{alg="
        + algorithm
        + ", kid="
        + keyId
        + ", iss="
        + issuer()
        + ", sub="
        + subject()
        + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Jwt other && token.equals(other.token);
  }

  @Override
  public int hashCode() {
    return token.hashCode();
  }

  /** Mutable state while parsing; keeps the constructor readable. */
  private static final class Builder {
    String token;
    int[] bounds;
    ObjectNode header;
    ObjectNode payload;
    String algorithm;
    String keyId;
    RegisteredClaims claims;
    byte[] signature;
  }
}
