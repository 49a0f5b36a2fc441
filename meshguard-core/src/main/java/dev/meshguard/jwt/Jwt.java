package dev.meshguard.jwt;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
  // Built on first use: the verification path needs neither tree.
  private volatile ObjectNode header;
  private volatile ObjectNode payload;
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
    this.algorithm = b.algorithm;
    this.keyId = b.keyId;
    this.claims = b.claims;
    this.signature = b.signature;
  }

  private static final String[] HEADER_MEMBERS = {"alg", "kid"};
  private static final int ALG = 0;
  private static final int KID = 1;
  private static final String[] PAYLOAD_MEMBERS = {"iss", "sub", "iat", "nbf", "exp", "jti", "aud"};
  private static final int ISS = 0;
  private static final int SUB = 1;
  private static final int IAT = 2;
  private static final int NBF = 3;
  private static final int EXP = 4;
  private static final int JTI = 5;
  private static final int AUD = 6;

  /**
   * Parses a token; the exception carries the Envoy status of the first problem. Header and payload
   * are read by a streaming pass that keeps only the members Envoy's parser checks (see {@link
   * SegmentScan}); their JSON trees are built only if {@link #header()} or {@link #payload()} is
   * called.
   */
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

    ParseScratch scratch = ParseScratch.get();
    SegmentScan scan = scratch.scan;
    scanSegment(
        scratch,
        token,
        bounds[0],
        bounds[1],
        HEADER_MEMBERS,
        JwtStatus.JWT_HEADER_PARSE_ERROR_BAD_BASE64,
        JwtStatus.JWT_HEADER_PARSE_ERROR_BAD_JSON);
    if (scan.kind(ALG) != SegmentScan.Kind.STRING) {
      throw new JwtException(JwtStatus.JWT_HEADER_BAD_ALG);
    }
    b.algorithm = scan.text(ALG);
    if (!IMPLEMENTED_ALGORITHMS.contains(b.algorithm)) {
      throw new JwtException(JwtStatus.JWT_HEADER_NOT_IMPLEMENTED_ALG);
    }
    b.keyId = optionalString(scan, KID, JwtStatus.JWT_HEADER_BAD_KID);

    scanSegment(
        scratch,
        token,
        bounds[2],
        bounds[3],
        PAYLOAD_MEMBERS,
        JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_BASE64,
        JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_JSON);
    String issuer = optionalString(scan, ISS, JwtStatus.JWT_PAYLOAD_PARSE_ERROR_ISS_NOT_STRING);
    String subject = optionalString(scan, SUB, JwtStatus.JWT_PAYLOAD_PARSE_ERROR_SUB_NOT_STRING);
    long issuedAt =
        optionalUnsigned(
            scan,
            IAT,
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_IAT_NOT_INTEGER,
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_IAT_OUT_OF_RANGE);
    long notBefore =
        optionalUnsigned(
            scan,
            NBF,
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_NBF_NOT_INTEGER,
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_NBF_OUT_OF_RANGE);
    long expiry =
        optionalUnsigned(
            scan,
            EXP,
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_EXP_NOT_INTEGER,
            JwtStatus.JWT_PAYLOAD_PARSE_ERROR_EXP_OUT_OF_RANGE);
    String jwtId = optionalString(scan, JTI, JwtStatus.JWT_PAYLOAD_PARSE_ERROR_JTI_NOT_STRING);
    b.claims =
        new RegisteredClaims(issuer, subject, jwtId, audiences(scan), issuedAt, notBefore, expiry);

    // Decoded into the thread's buffer first, so the kept copy is the only array made.
    byte[] decoded = scratch.decoded(Base64Url.maxDecodedLength(bounds[4], bounds[5]));
    int signatureLength = Base64Url.decodeInto(token, bounds[4], bounds[5], decoded);
    if (signatureLength < 0) {
      throw new JwtException(JwtStatus.JWT_SIGNATURE_PARSE_ERROR_BAD_BASE64);
    }
    b.signature = Arrays.copyOf(decoded, signatureLength);
    return new Jwt(b);
  }

  /**
   * Decodes {@code token[start, end)} into the thread's buffer and scans it as JSON for {@code
   * members}, which {@code scratch.scan} then holds.
   */
  private static void scanSegment(
      ParseScratch scratch,
      String token,
      int start,
      int end,
      String[] members,
      JwtStatus badBase64,
      JwtStatus badJson)
      throws JwtException {
    byte[] bytes = scratch.decoded(Base64Url.maxDecodedLength(start, end));
    int length = Base64Url.decodeInto(token, start, end, bytes);
    if (length < 0) {
      throw new JwtException(badBase64);
    }
    if (!scanJson(scratch, bytes, length, members)) {
      throw new JwtException(badJson);
    }
  }

  /**
   * {@link EnvoyJson}'s rules over decoded bytes. Bytes in 1..127 (the usual case) are read by
   * Jackson straight from the buffer: without a zero byte its encoding detection can only pick
   * UTF-8, which for ASCII reads as the text would. Anything else is first decoded strictly, as
   * before.
   */
  private static boolean scanJson(
      ParseScratch scratch, byte[] bytes, int length, String[] members) {
    boolean plainAscii = true;
    boolean backslash = false;
    for (int i = 0; i < length; i++) {
      byte b = bytes[i];
      if (b <= 0) {
        plainAscii = false;
        break;
      }
      if (b == '\\') {
        backslash = true;
      }
    }
    if (plainAscii && !backslash && scratch.strict.scan(bytes, length, members, scratch.scan)) {
      return true; // plain JSON, read without a parser (see StrictScan)
    }
    try {
      if (plainAscii) {
        try (JsonParser parser = EnvoyJson.FACTORY.createParser(bytes, 0, length)) {
          return scratch.scan.scan(parser, backslash, members)
              && EnvoyJson.bareKeysAreProtobufWords(scratch.chars.wrap(bytes, 0, length));
        }
      }
      String json = decodeUtf8(bytes, length);
      if (json == null) {
        return false;
      }
      try (JsonParser parser = EnvoyJson.FACTORY.createParser(json)) {
        return scratch.scan.scan(parser, json.indexOf('\\') >= 0, members)
            && EnvoyJson.bareKeysAreProtobufWords(json);
      }
    } catch (IOException | NumberFormatException e) {
      return false;
    }
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
    String json = decodeUtf8(bytes, bytes.length);
    ObjectNode object = json == null ? null : EnvoyJson.parseDecodedObject(json);
    if (object == null) {
      throw new JwtException(badJson);
    }
    return object;
  }

  /** Strict UTF-8; null when malformed. Pure ASCII, the usual case, skips the decoder. */
  private static String decodeUtf8(byte[] bytes, int length) {
    boolean ascii = true;
    for (int i = 0; i < length; i++) {
      if (bytes[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(bytes, 0, length, StandardCharsets.US_ASCII);
    }
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, 0, length));
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * Envoy's {@code StructUtils::GetString}: absent is fine, anything but a string (null too) not.
   */
  private static String optionalString(SegmentScan scan, int member, JwtStatus wrongType)
      throws JwtException {
    SegmentScan.Kind kind = scan.kind(member);
    if (kind == SegmentScan.Kind.ABSENT) {
      return null;
    }
    if (kind != SegmentScan.Kind.STRING) {
      throw new JwtException(wrongType);
    }
    return scan.text(member);
  }

  /**
   * Envoy's {@code StructUtils::GetUInt64}: a JSON number (a double), in [0, 2^64), truncated. The
   * result is an unsigned 64-bit value held in a long.
   */
  private static long optionalUnsigned(
      SegmentScan scan, int member, JwtStatus wrongType, JwtStatus outOfRange) throws JwtException {
    SegmentScan.Kind kind = scan.kind(member);
    if (kind == SegmentScan.Kind.ABSENT) {
      return 0;
    }
    if (kind != SegmentScan.Kind.NUMBER) {
      throw new JwtException(wrongType);
    }
    double number = scan.number(member);
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
  private static List<String> audiences(SegmentScan scan) throws JwtException {
    return switch (scan.kind(AUD)) {
      case ABSENT -> List.of();
      case STRING -> List.of(scan.text(AUD));
      case STRING_ARRAY -> scan.stringArray();
      default -> throw new JwtException(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_AUD_NOT_STRING);
    };
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
    ObjectNode tree = header;
    if (tree == null) {
      tree = readTree(headerStart, headerEnd);
      header = tree;
    }
    return tree;
  }

  /**
   * The decoded payload JSON (shared: do not modify). Numbers are the doubles Envoy keeps; integral
   * ones that fit are {@code long} nodes.
   */
  public ObjectNode payload() {
    ObjectNode tree = payload;
    if (tree == null) {
      tree = readTree(payloadStart, payloadEnd);
      payload = tree;
    }
    return tree;
  }

  /** A segment's tree; it was scanned successfully, so it parses. */
  private ObjectNode readTree(int start, int end) {
    try {
      return parseSegment(
          token,
          start,
          end,
          JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_BASE64,
          JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_JSON);
    } catch (JwtException e) {
      throw new IllegalStateException("a parsed token's segment no longer reads as JSON", e);
    }
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
    byte[] out = new byte[signingInputLength()];
    writeSigningInput(out);
    return out;
  }

  /** The length of {@link #signingInputBytes()}. */
  int signingInputLength() {
    return headerEnd - headerStart + 1 + payloadEnd - payloadStart;
  }

  /** Writes {@link #signingInputBytes()} to the start of {@code out}, without a new array. */
  void writeSigningInput(byte[] out) {
    int at = 0;
    for (int i = headerStart; i < headerEnd; i++) {
      out[at++] = (byte) token.charAt(i);
    }
    out[at++] = '.';
    for (int i = payloadStart; i < payloadEnd; i++) {
      out[at++] = (byte) token.charAt(i);
    }
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
    String algorithm;
    String keyId;
    RegisteredClaims claims;
    byte[] signature;
  }
}
