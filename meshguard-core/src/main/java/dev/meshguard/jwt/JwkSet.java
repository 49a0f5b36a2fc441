package dev.meshguard.jwt;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A parsed JWKS (or Google's X.509 certificate map), with Envoy's leniency and checks ({@code
 * Jwks::createFromJwksCore}). JCA key objects are built once here, so verification does no key
 * decoding. Immutable and thread-safe.
 *
 * <p>Rules, in Envoy's order: the text must be JSON an Envoy would read (see {@link EnvoyJson};
 * trailing commas are fine) else {@link JwtStatus#JWKS_PARSE_ERROR}; without `keys` it must be an
 * X.509 map else {@link JwtStatus#JWKS_NO_KEYS}; `keys` must be an array else {@link
 * JwtStatus#JWKS_BAD_KEYS}; entries that are not objects are skipped; entries that fail to parse
 * are skipped; when no key is left the status is the first entry's failure, or {@link
 * JwtStatus#JWKS_NO_VALID_KEYS} when no entry was even tried.
 */
public final class JwkSet {
  /** JWK members that only private or symmetric keys carry (RFC 7518 section 6). */
  private static final Set<String> PRIVATE_MEMBERS =
      Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

  private final List<Jwk> keys;
  private final boolean privateOrSymmetricKeyMaterial;

  private JwkSet(List<Jwk> keys, boolean privateOrSymmetricKeyMaterial) {
    this.keys = List.copyOf(keys);
    this.privateOrSymmetricKeyMaterial = privateOrSymmetricKeyMaterial;
  }

  /** Parses a JWKS; the exception carries Envoy's status when the set is unusable. */
  public static JwkSet parse(String text) throws JwtException {
    requireNonNull(text, "text");
    ObjectNode root = EnvoyJson.parseObject(text);
    if (root == null) {
      throw new JwtException(JwtStatus.JWKS_PARSE_ERROR);
    }
    JsonNode entries = root.get("keys");
    if (entries == null) {
      if (JwkParser.isX509Map(root)) {
        return new JwkSet(JwkParser.parseX509Map(root), false);
      }
      throw new JwtException(JwtStatus.JWKS_NO_KEYS);
    }
    if (!entries.isArray()) {
      throw new JwtException(JwtStatus.JWKS_BAD_KEYS);
    }
    List<Jwk> keys = new ArrayList<>(entries.size());
    JwtStatus firstFailure = null;
    boolean privateMaterial = false;
    for (JsonNode entry : entries) {
      if (!(entry instanceof ObjectNode jwk)) {
        continue;
      }
      privateMaterial |= carriesPrivateMaterial(jwk);
      try {
        keys.add(JwkParser.parse(jwk));
      } catch (JwtException e) {
        if (firstFailure == null) {
          firstFailure = e.status();
        }
      }
    }
    if (keys.isEmpty()) {
      throw new JwtException(firstFailure != null ? firstFailure : JwtStatus.JWKS_NO_VALID_KEYS);
    }
    return new JwkSet(keys, privateMaterial);
  }

  private static boolean carriesPrivateMaterial(ObjectNode jwk) {
    JsonNode kty = jwk.get("kty");
    if (kty != null && Jwk.OCT.equals(kty.textValue())) {
      return true;
    }
    for (String member : PRIVATE_MEMBERS) {
      if (jwk.has(member)) {
        return true;
      }
    }
    return false;
  }

  /** Number of usable keys (at least one). */
  public int size() {
    return keys.size();
  }

  /** The usable keys in document order, which is the order Envoy tries them in. */
  public List<Jwk> keys() {
    return keys;
  }

  /**
   * True when some entry of `keys` carries private or symmetric material (`d`, `p`, `q`, `dp`,
   * `dq`, `qi`, `oth`, `k`, or `kty: oct`), whether or not that entry was usable. Istio accepts
   * such a JWKS with a warning.
   */
  public boolean hasPrivateOrSymmetricKeyMaterial() {
    return privateOrSymmetricKeyMaterial;
  }

  @Override
  public String toString() {
    return "JwkSet" + keys;
  }
}
