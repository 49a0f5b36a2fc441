package dev.meshguard.policy;

import dev.meshguard.policy.YamlNode.MapNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Binds a RequestAuthentication document to the record, strictly. Semantic checks are in {@link
 * RequestAuthenticationValidator}; the inline `jwks` is only carried, the engine parses it.
 */
final class RequestAuthenticationReader {
  static final Set<String> SPEC_FIELDS = Set.of("jwtRules", "selector", "targetRef", "targetRefs");

  /** The CRD's JWTRule fields; `jwks_uri` is the proto name, which the CRD also accepts. */
  static final Set<String> RULE_FIELDS =
      Set.of(
          "issuer",
          "audiences",
          "jwksUri",
          "jwks_uri",
          "jwks",
          "fromHeaders",
          "fromParams",
          "fromCookies",
          "outputPayloadToHeader",
          "outputClaimToHeaders",
          "forwardOriginalToken",
          "spaceDelimitedClaims",
          "timeout",
          "presence");

  private static final Set<String> HEADER_FIELDS = Set.of("name", "prefix");
  private static final Set<String> CLAIM_TO_HEADER_FIELDS = Set.of("header", "claim");
  private static final List<String> PRESENCE_VALUES = List.of("OPTIONAL", "REQUIRED");

  /** Stands in for a rule that could not be read, keeping the indexes of the others. */
  private static final JwtRule PLACEHOLDER =
      new JwtRule(
          null, List.of(), null, null, null, null, null, null, List.of(), false, List.of(), null);

  private RequestAuthenticationReader() {}

  /** The object; {@code singularTargetRef} is set when `spec.targetRef` was used. */
  record Result(RequestAuthentication authentication, boolean singularTargetRef) {}

  static Result read(
      DocumentOrigin origin, ObjectMeta metadata, MapNode spec, StrictReader reader) {
    reader.allowOnly(spec, "spec", SPEC_FIELDS);
    AttachmentReader.Attachment attachment = AttachmentReader.read(spec, reader);
    List<JwtRule> rules = new ArrayList<>();
    List<YamlNode> ruleNodes = reader.list(spec.get("jwtRules"), "spec.jwtRules");
    if (ruleNodes != null) {
      for (int i = 0; i < ruleNodes.size(); i++) {
        JwtRule rule = rule(ruleNodes.get(i), Paths.index("spec.jwtRules", i), reader);
        rules.add(rule == null ? PLACEHOLDER : rule);
      }
    }
    RequestAuthentication authentication =
        new RequestAuthentication(
            origin, metadata, attachment.selector(), attachment.targetRefs(), rules);
    return new Result(authentication, attachment.singular());
  }

  private static JwtRule rule(YamlNode node, String path, StrictReader reader) {
    FindingSink sink = reader.sink();
    if (YamlNode.isNull(node)) {
      // istiod skips a null rule; the API server would refuse it. Refuse it too.
      sink.error(path, "expected a map, got null");
      return null;
    }
    MapNode map = reader.map(node, path);
    if (map == null) {
      return null;
    }
    reader.allowOnly(map, path, RULE_FIELDS);
    String jwksUri = reader.string(map.get("jwksUri"), Paths.field(path, "jwksUri"));
    String jwksUriSnake = reader.string(map.get("jwks_uri"), Paths.field(path, "jwks_uri"));
    if (jwksUri != null && jwksUriSnake != null) {
      sink.error(
          path,
          "only one of jwks or jwksUri can be set (`jwksUri` and `jwks_uri` are the same field)");
    } else if (jwksUri == null) {
      jwksUri = jwksUriSnake;
    }
    String presence =
        reader.enumValue(map.get("presence"), Paths.field(path, "presence"), PRESENCE_VALUES);
    Boolean forward =
        reader.bool(map.get("forwardOriginalToken"), Paths.field(path, "forwardOriginalToken"));
    return new JwtRule(
        reader.string(map.get("issuer"), Paths.field(path, "issuer")),
        reader.stringsOrEmpty(map.get("audiences"), Paths.field(path, "audiences")),
        jwksUri,
        reader.string(map.get("jwks"), Paths.field(path, "jwks")),
        headers(map.get("fromHeaders"), Paths.field(path, "fromHeaders"), reader),
        reader.strings(map.get("fromParams"), Paths.field(path, "fromParams")),
        reader.strings(map.get("fromCookies"), Paths.field(path, "fromCookies")),
        reader.string(map.get("outputPayloadToHeader"), Paths.field(path, "outputPayloadToHeader")),
        claimsToHeaders(
            map.get("outputClaimToHeaders"), Paths.field(path, "outputClaimToHeaders"), reader),
        forward != null && forward,
        reader.stringsOrEmpty(
            map.get("spaceDelimitedClaims"), Paths.field(path, "spaceDelimitedClaims")),
        timeout(map.get("timeout"), Paths.field(path, "timeout"), reader),
        presence == null ? JwtRule.Presence.OPTIONAL : JwtRule.Presence.valueOf(presence));
  }

  private static List<JwtHeader> headers(YamlNode node, String path, StrictReader reader) {
    List<YamlNode> items = reader.list(node, path);
    if (items == null) {
      return null;
    }
    List<JwtHeader> headers = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String itemPath = Paths.index(path, i);
      if (YamlNode.isNull(items.get(i))) {
        reader.sink().error(itemPath, "location header name must be non-null");
      }
      MapNode map = reader.map(items.get(i), itemPath);
      if (map == null) {
        headers.add(new JwtHeader(null, null));
        continue;
      }
      reader.allowOnly(map, itemPath, HEADER_FIELDS);
      headers.add(
          new JwtHeader(
              reader.string(map.get("name"), Paths.field(itemPath, "name")),
              reader.string(map.get("prefix"), Paths.field(itemPath, "prefix"))));
    }
    return headers;
  }

  private static List<ClaimToHeader> claimsToHeaders(
      YamlNode node, String path, StrictReader reader) {
    List<YamlNode> items = reader.list(node, path);
    if (items == null) {
      return List.of();
    }
    List<ClaimToHeader> claims = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String itemPath = Paths.index(path, i);
      if (YamlNode.isNull(items.get(i))) {
        reader.sink().error(itemPath, "outputClaimToHeaders must not be null");
      }
      MapNode map = reader.map(items.get(i), itemPath);
      if (map == null) {
        claims.add(new ClaimToHeader(null, null));
        continue;
      }
      reader.allowOnly(map, itemPath, CLAIM_TO_HEADER_FIELDS);
      claims.add(
          new ClaimToHeader(
              reader.string(map.get("header"), Paths.field(itemPath, "header")),
              reader.string(map.get("claim"), Paths.field(itemPath, "claim"))));
    }
    return claims;
  }

  private static Duration timeout(YamlNode node, String path, StrictReader reader) {
    String text = reader.string(node, path);
    if (text == null) {
      return null;
    }
    Duration duration = ProtoDuration.parse(text);
    if (duration == null) {
      reader
          .sink()
          .error(
              path,
              "invalid duration "
                  + Text.quote(text)
                  + ": expected seconds with an `s` suffix, such as `5s` or `0.5s`"
                  + " (the protobuf form istiod reads; `500ms` is refused)");
    }
    return duration;
  }
}
