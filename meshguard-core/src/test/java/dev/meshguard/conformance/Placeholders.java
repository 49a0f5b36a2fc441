package dev.meshguard.conformance;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resolves the `${...}` placeholders of corpus files, so that keys and tokens are made at test time
 * and no secret is committed. Placeholders nest (`${b64:${repeat:3:[}}`); their text must have
 * balanced braces and quotes.
 *
 * <ul>
 *   <li>`${jwks:rsa-a,ec256-b/alg=ES256,hmac-a/nokid}` — a JWKS with the public keys (for `hmac-*`
 *       the secret) of generated keys; each key's `kid` is its name unless `/kid=X` or `/nokid`;
 *       `/alg=X` sets the JWK `alg` (none by default); `/use=X` sets `use`.
 *   <li>`${jwk:rsa-a/...}` — one such key on its own, to build unusual key sets by hand.
 *   <li>`${token:KEY[,option...]:CLAIMS}` — a compact JWS signed by generated key KEY. CLAIMS is a
 *       JSON object; string values of `exp`, `nbf`, `iat` written `+N`/`-N` are seconds relative to
 *       {@link #BASE_TIME}. Options: `alg=X` (default by kind: RS256, ES256, ES384, ES512, EdDSA,
 *       HS256), `kid=X` (default: the key name), `nokid`, `typ=X`, `tamper` (payload changed after
 *       signing), `sig=X` (signature segment replaced by X), `hmacpem` (HS256 with the RSA key's
 *       public PEM as secret: the key-confusion attack). KEY `none` makes an unsigned `alg: none`
 *       token with an empty signature.
 *   <li>`${jwks-url:SPEC}` — an http URL on 127.0.0.1 serving `${jwks:SPEC}`; `${status-url:500}`
 *       — one that answers that status (see {@link JwksServer}).
 *   <li>`${payload:CLAIMS}` — the payload segment `${token:...}` writes for CLAIMS.
 *   <li>`${time:+N}` — an epoch-seconds number relative to the base time.
 *   <li>`${b64:TEXT}` base64url without padding; `${b64std:TEXT}` standard base64 with padding;
 *       `${repeat:N:TEXT}` TEXT N times.
 *   <li>`${istio-sample-jwks}`, `${istio-demo-jwt}` — Istio's sample key set and demo token.
 * </ul>
 */
public final class Placeholders {
  /** The time every case runs at unless a request sets `now`: 2027-01-15T08:00:00Z. */
  public static final long BASE_TIME = 1_800_000_000L;

  private static final Pattern RELATIVE = Pattern.compile("[+-][0-9]+");
  private static final Pattern ABSOLUTE = Pattern.compile("[0-9]+");
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
          .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private Placeholders() {}

  /** Epoch seconds for a request's `now`: null = base time, `+N`/`-N` relative, or absolute. */
  public static long time(String value) {
    if (value == null || value.equals("now")) {
      return BASE_TIME;
    }
    if (RELATIVE.matcher(value).matches()) {
      return BASE_TIME + Long.parseLong(value);
    }
    if (ABSOLUTE.matcher(value).matches()) {
      return Long.parseLong(value);
    }
    throw new CorpusReader.CorpusException(
        "time `" + value + "`: expected epoch seconds, `+N`, `-N` or `now`");
  }

  /** Replaces every placeholder in {@code text}. */
  public static String resolve(String text) {
    if (text == null || !text.contains("${")) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (true) {
      int start = text.indexOf("${", i);
      if (start < 0) {
        break;
      }
      out.append(text, i, start);
      int end = closingBrace(text, start + 1);
      out.append(evaluate(text.substring(start + 2, end)));
      i = end + 1;
    }
    out.append(text, i, text.length());
    return out.toString();
  }

  private static int closingBrace(String text, int open) {
    int depth = 0;
    for (int k = open; k < text.length(); k++) {
      char c = text.charAt(k);
      if (c == '"') {
        k++;
        while (k < text.length() && text.charAt(k) != '"') {
          if (text.charAt(k) == '\\') {
            k++;
          }
          k++;
        }
      } else if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth == 0) {
          return k;
        }
      }
    }
    throw new CorpusReader.CorpusException(
        "unterminated placeholder: `" + abbreviate(text.substring(open - 1)) + "`");
  }

  private static String evaluate(String body) {
    int colon = body.indexOf(':');
    String name = colon < 0 ? body : body.substring(0, colon);
    String arg = colon < 0 ? null : resolve(body.substring(colon + 1));
    switch (name) {
      case "istio-sample-jwks":
        return resource("/jwt/jwks.json").strip();
      case "istio-demo-jwt":
        return resource("/jwt/demo.jwt").strip();
      case "jwks":
        return jwks(required(name, arg));
      case "jwk":
        return json(jwk(required(name, arg)));
      case "jwks-url":
        return JwksServer.jwksUrl(required(name, arg));
      case "status-url":
        return JwksServer.statusUrl(required(name, arg));
      case "token":
        return token(required(name, arg));
      case "payload":
        return B64URL.encodeToString(claims(required(name, arg)).getBytes(StandardCharsets.UTF_8));
      case "time":
        return Long.toString(time(required(name, arg)));
      case "b64":
        return B64URL.encodeToString(required(name, arg).getBytes(StandardCharsets.UTF_8));
      case "b64std":
        return Base64.getEncoder()
            .encodeToString(required(name, arg).getBytes(StandardCharsets.UTF_8));
      case "repeat":
        {
          String a = required(name, arg);
          int c = a.indexOf(':');
          if (c < 0) {
            throw new CorpusReader.CorpusException("${repeat:N:TEXT} needs a count and a text");
          }
          return a.substring(c + 1).repeat(Integer.parseInt(a.substring(0, c)));
        }
      default:
        throw new CorpusReader.CorpusException("unknown placeholder `${" + abbreviate(body) + "}`");
    }
  }

  private static String required(String name, String arg) {
    if (arg == null) {
      throw new CorpusReader.CorpusException("placeholder `" + name + "` needs an argument");
    }
    return arg;
  }

  private static String jwks(String spec) {
    List<Map<String, Object>> keys = new ArrayList<>();
    for (String item : spec.split(",", -1)) {
      keys.add(jwk(item));
    }
    return json(Map.of("keys", keys));
  }

  /** One public JWK: `name[/kid=X][/nokid][/alg=X][/use=X]`. */
  private static Map<String, Object> jwk(String item) {
    String[] parts = item.strip().split("/", -1);
    String kid = parts[0];
    String alg = null;
    String use = null;
    for (int i = 1; i < parts.length; i++) {
      String option = parts[i];
      if (option.equals("nokid")) {
        kid = null;
      } else if (option.startsWith("kid=")) {
        kid = option.substring(4);
      } else if (option.startsWith("alg=")) {
        alg = option.substring(4);
      } else if (option.startsWith("use=")) {
        use = option.substring(4);
      } else {
        throw new CorpusReader.CorpusException(
            "jwks key `" + item + "`: unknown option `" + option + "`");
      }
    }
    Map<String, Object> jwk =
        new LinkedHashMap<>(TestKeys.key(parts[0]).publicJwk(kid, alg).toJSONObject());
    if (use != null) {
      jwk.put("use", use);
    }
    return jwk;
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String token(String spec) {
    int colon = spec.indexOf(':');
    if (colon < 0) {
      throw new CorpusReader.CorpusException("${token:KEY[,options]:CLAIMS} needs claims");
    }
    String[] keyAndOptions = spec.substring(0, colon).split(",", -1);
    String keyName = keyAndOptions[0].strip();
    String claims = claims(spec.substring(colon + 1));
    boolean unsigned = keyName.equals("none");
    TestKeys.TestKey key = unsigned ? null : TestKeys.key(keyName);
    String alg = unsigned ? "none" : key.kind().defaultAlg();
    String kid = unsigned ? null : keyName;
    String typ = null;
    boolean tamper = false;
    boolean hmacPem = false;
    String signatureOverride = null;
    for (int i = 1; i < keyAndOptions.length; i++) {
      String option = keyAndOptions[i].strip();
      if (option.startsWith("alg=")) {
        alg = option.substring(4);
      } else if (option.startsWith("kid=")) {
        kid = option.substring(4);
      } else if (option.equals("nokid")) {
        kid = null;
      } else if (option.startsWith("typ=")) {
        typ = option.substring(4);
      } else if (option.equals("tamper")) {
        tamper = true;
      } else if (option.startsWith("sig=")) {
        signatureOverride = option.substring(4);
      } else if (option.equals("hmacpem")) {
        hmacPem = true;
        alg = "HS256";
      } else {
        throw new CorpusReader.CorpusException("token option `" + option + "` is unknown");
      }
    }
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", alg);
    if (kid != null) {
      header.put("kid", kid);
    }
    if (typ != null) {
      header.put("typ", typ);
    }
    String headerSegment;
    try {
      headerSegment = B64URL.encodeToString(JSON.writeValueAsBytes(header));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    String payloadSegment = B64URL.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    byte[] signingInput =
        (headerSegment + "." + payloadSegment).getBytes(StandardCharsets.US_ASCII);
    String signature;
    if (signatureOverride != null) {
      signature = signatureOverride;
    } else if (unsigned) {
      signature = "";
    } else if (hmacPem) {
      signature =
          B64URL.encodeToString(
              TestKeys.hmac(
                  alg, key.publicPem().getBytes(StandardCharsets.US_ASCII), signingInput));
    } else {
      signature = B64URL.encodeToString(key.sign(alg, signingInput));
    }
    if (tamper) {
      payloadSegment = B64URL.encodeToString(tampered(claims).getBytes(StandardCharsets.UTF_8));
    }
    return headerSegment + "." + payloadSegment + "." + signature;
  }

  /** Claims JSON with relative times resolved, written compactly. */
  static String claims(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (IOException e) {
      throw new CorpusReader.CorpusException(
          "token claims are not JSON: `" + abbreviate(json) + "`: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new CorpusReader.CorpusException(
          "token claims must be a JSON object: `" + abbreviate(json) + "`");
    }
    ObjectNode object = (ObjectNode) node;
    for (String time : List.of("iat", "nbf", "exp")) {
      JsonNode v = object.get(time);
      if (v != null && v.isTextual() && RELATIVE.matcher(v.asText()).matches()) {
        object.set(time, LongNode.valueOf(time(v.asText())));
      }
    }
    try {
      return JSON.writeValueAsString(object);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String tampered(String claims) {
    try {
      ObjectNode object = (ObjectNode) JSON.readTree(claims);
      object.put("tampered", true);
      return JSON.writeValueAsString(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String resource(String path) {
    try (InputStream in = Placeholders.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new CorpusReader.CorpusException(
            "test resource `"
                + path
                + "` is missing (Istio's samples, see src/test/resources/jwt)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
