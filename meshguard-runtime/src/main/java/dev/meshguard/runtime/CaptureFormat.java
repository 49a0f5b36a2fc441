package dev.meshguard.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.jwt.Jwt;
import dev.meshguard.jwt.JwtException;
import dev.meshguard.jwt.JwtStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of a `serve --capture` file: what the decision needed (method, scheme, host, path, port,
 * headers, peer identity and addresses, time) and what was decided, so `meshguard replay` can
 * decide it again under other policies.
 *
 * <p>Without `--capture-tokens` no credential is written: each JWT in a header or the path is
 * replaced by {@code @@meshguard-token-N@@} and kept as its header, its claims and whether its
 * signature held (`tokens[N]`); other `authorization` and `proxy-authorization` values and cookie
 * values become {@code <redacted>}.
 */
public final class CaptureFormat {
  /** Format version of every line (the first line, `capture`, describes the file). */
  public static final int VERSION = 1;

  public static final String REDACTED = "<redacted>";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern JWT =
      Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*");
  private static final Pattern COOKIE = Pattern.compile("([^=;\\s]+)=([^;]*)");
  private static final Set<String> CREDENTIAL_HEADERS =
      Set.of("authorization", "proxy-authorization");

  /**
   * Failures that say the signature (or its key) did not hold: a replayed stand-in for such a token
   * gets a broken signature. Other failures (time, audience, issuer) are decided again from the
   * claims.
   */
  private static final Set<JwtStatus> SIGNATURE_FAILURES =
      EnumSet.of(
          JwtStatus.JWT_VERIFICATION_FAIL,
          JwtStatus.JWKS_KID_ALG_MISMATCH,
          JwtStatus.JWT_ED25519_SIGNATURE_WRONG_LENGTH,
          JwtStatus.JWKS_FETCH_FAIL,
          JwtStatus.JWKS_NO_VALID_KEYS);

  private CaptureFormat() {}

  /** The marker that stands for token {@code index} in a header value or the path. */
  public static String marker(int index) {
    return "@@meshguard-token-" + index + "@@";
  }

  /** Matches any marker; group 1 is the index. */
  public static final Pattern MARKER = Pattern.compile("@@meshguard-token-([0-9]+)@@");

  /** The first line of a capture file. */
  static String header(Map<String, Object> facts, boolean tokens) {
    ObjectNode o = JSON.createObjectNode();
    o.put("capture", VERSION);
    o.put("tokens", tokens ? "raw" : "claims");
    o.set("facts", JSON.valueToTree(facts));
    return o.toString();
  }

  /** One decided request as a JSON line (no line break). */
  static String line(Instant time, CheckRequest r, Decision d, boolean keepTokens) {
    ObjectNode o = JSON.createObjectNode();
    o.put("v", VERSION);
    o.put("time", time.getEpochSecond());
    o.put("method", r.method());
    o.put("scheme", r.scheme());
    o.put("host", r.host());
    List<ObjectNode> tokens = new ArrayList<>();
    o.put("path", keepTokens ? r.rawPath() : redactTokens(r.rawPath(), d, tokens));
    o.put("port", r.destinationPort());
    o.put("sourceIp", r.sourceIp());
    o.put("remoteIp", r.remoteIp());
    o.put("sourcePrincipal", r.sourcePrincipal());
    o.put("destinationIp", r.destinationIp());
    o.put("sni", r.sni());
    ArrayNode headers = o.putArray("headers");
    for (Map.Entry<String, String> h : r.headers().entries()) {
      String value = keepTokens ? h.getValue() : redactHeader(h.getKey(), h.getValue(), d, tokens);
      headers.addArray().add(h.getKey()).add(value);
    }
    if (!keepTokens) {
      o.putArray("tokens").addAll(tokens);
    }
    ObjectNode decision = o.putObject("decision");
    decision.put("status", d.status());
    decision.put("allowed", d.allowed());
    decision.put("outcome", d.outcome().name());
    decision.put("reason", d.reason());
    decision.put("policy", d.policy());
    decision.put("principal", d.principal());
    decision.put("jwt", d.jwtStatus().message());
    return o.toString();
  }

  private static String redactHeader(
      String name, String value, Decision d, List<ObjectNode> tokens) {
    String withMarkers = redactTokens(value, d, tokens);
    String lower = name.toLowerCase(Locale.ROOT);
    if (CREDENTIAL_HEADERS.contains(lower) && !MARKER.matcher(withMarkers).find()) {
      return REDACTED;
    }
    if (lower.equals("cookie")) {
      Matcher m = COOKIE.matcher(withMarkers);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String cookieValue = m.group(2);
        String kept = MARKER.matcher(cookieValue).find() ? cookieValue : REDACTED;
        m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + "=" + kept));
      }
      m.appendTail(out);
      return out.toString();
    }
    return withMarkers;
  }

  /** Replaces each JWT in {@code text} by its marker and describes it in {@code tokens}. */
  private static String redactTokens(String text, Decision d, List<ObjectNode> tokens) {
    Matcher m = JWT.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    do {
      tokens.add(describe(m.group(), d));
      m.appendReplacement(out, Matcher.quoteReplacement(marker(tokens.size() - 1)));
    } while (m.find());
    m.appendTail(out);
    return out.toString();
  }

  private static ObjectNode describe(String token, Decision d) {
    ObjectNode t = JSON.createObjectNode();
    Jwt jwt;
    try {
      jwt = Jwt.parse(token);
    } catch (JwtException e) {
      t.put("malformed", e.status().message());
      return t;
    }
    t.set("header", jwt.header());
    t.set("claims", jwt.payload());
    String principal =
        (jwt.issuer() == null ? "" : jwt.issuer())
            + "/"
            + (jwt.subject() == null ? "" : jwt.subject());
    boolean verified = d.jwtStatus() == JwtStatus.OK && principal.equals(d.principal());
    boolean brokenSignature = !verified && SIGNATURE_FAILURES.contains(d.jwtStatus());
    t.put("signature", brokenSignature ? "invalid" : verified ? "verified" : "unchecked");
    if (!verified && d.jwtStatus() != JwtStatus.OK && d.jwtStatus() != JwtStatus.JWT_MISSED) {
      t.put("status", d.jwtStatus().message());
    }
    return t;
  }
}
