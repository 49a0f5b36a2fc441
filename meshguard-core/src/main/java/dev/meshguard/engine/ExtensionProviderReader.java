package dev.meshguard.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshguard.engine.ExtAuthzProvider.Protocol;
import dev.meshguard.engine.MeshSettingsLoader.MeshConfigException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads MeshConfig `extensionProviders` as Istio validates them: names required and unique, one
 * provider key per entry, and for the ext_authz providers a service and port, a protobuf duration
 * (`0.5s`) for `timeout`, an HTTP status for `statusOnError`, a path prefix starting with `/`.
 * Unknown fields of an ext_authz provider are errors rather than ignored: a misspelt `failOpen`
 * would silently change who gets in.
 */
final class ExtensionProviderReader {
  private static final Set<String> COMMON =
      Set.of(
          "service", "port", "timeout", "failOpen", "statusOnError", "includeRequestBodyInCheck");
  private static final Set<String> HTTP_ONLY =
      Set.of(
          "pathPrefix",
          "includeHeadersInCheck",
          "includeRequestHeadersInCheck",
          "includeAdditionalHeadersInCheck",
          "headersToUpstreamOnAllow",
          "headersToDownstreamOnAllow",
          "headersToDownstreamOnDeny");
  private static final Set<String> BODY =
      Set.of("maxRequestBytes", "allowPartialMessage", "packAsBytes");

  /** protobuf JSON's Duration: seconds with up to nine fractional digits, then `s`. */
  private static final Pattern DURATION = Pattern.compile("\\d+(\\.\\d{1,9})?s");

  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private ExtensionProviderReader() {}

  static Map<String, ExtensionProvider> read(JsonNode list, String file)
      throws MeshConfigException {
    Map<String, ExtensionProvider> providers = new LinkedHashMap<>();
    if (list.isMissingNode() || list.isNull()) {
      return providers;
    }
    if (!list.isArray()) {
      throw new MeshConfigException(file + ": extensionProviders: expected a list");
    }
    for (int i = 0; i < list.size(); i++) {
      String at = file + ": extensionProviders[" + i + "]";
      JsonNode p = list.get(i);
      if (!p.isObject()) {
        throw new MeshConfigException(at + ": expected a mapping");
      }
      String name = p.path("name").asText("");
      if (name.isEmpty()) {
        throw new MeshConfigException(at + ".name: required");
      }
      List<String> kinds = new ArrayList<>();
      p.fieldNames().forEachRemaining(f -> kinds.add(f));
      kinds.remove("name");
      if (kinds.size() != 1) {
        throw new MeshConfigException(
            at + ": expected exactly one provider kind besides `name`, found " + kinds);
      }
      String kind = kinds.get(0);
      ExtensionProvider provider =
          switch (kind) {
            case "envoyExtAuthzHttp" ->
                ExtensionProvider.of(authz(name, Protocol.HTTP, p.get(kind), at + "." + kind));
            case "envoyExtAuthzGrpc" ->
                ExtensionProvider.of(authz(name, Protocol.GRPC, p.get(kind), at + "." + kind));
            default -> new ExtensionProvider(name, kind, null);
          };
      if (providers.put(name, provider) != null) {
        throw new MeshConfigException(at + ".name: `" + name + "` is not unique");
      }
    }
    return providers;
  }

  private static ExtAuthzProvider authz(String name, Protocol protocol, JsonNode n, String at)
      throws MeshConfigException {
    if (!n.isObject()) {
      throw new MeshConfigException(at + ": expected a mapping");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!COMMON.contains(field) && !(protocol == Protocol.HTTP && HTTP_ONLY.contains(field))) {
        throw new MeshConfigException(at + "." + field + ": unknown field");
      }
    }
    String service = n.path("service").asText("");
    if (service.isEmpty()) {
      throw new MeshConfigException(at + ".service: required");
    }
    int slash = service.indexOf('/');
    if (slash == 0 || slash == service.length() - 1 || service.indexOf('/', slash + 1) >= 0) {
      throw new MeshConfigException(
          at + ".service: `" + service + "` is neither a host nor `namespace/host`");
    }
    JsonNode portNode = n.path("port");
    if (!portNode.canConvertToInt() || portNode.asInt() < 1 || portNode.asInt() > 65535) {
      throw new MeshConfigException(at + ".port: required, 1 to 65535");
    }
    Duration timeout = ExtAuthzProvider.DEFAULT_TIMEOUT;
    if (n.hasNonNull("timeout")) {
      String t = n.get("timeout").asText();
      if (!DURATION.matcher(t).matches()) {
        throw new MeshConfigException(
            at + ".timeout: `" + t + "` is not a duration in seconds such as `0.5s`");
      }
      BigDecimal seconds = new BigDecimal(t.substring(0, t.length() - 1));
      timeout = Duration.ofNanos(seconds.movePointRight(9).longValueExact());
      if (timeout.isZero()) {
        throw new MeshConfigException(at + ".timeout: must be more than zero");
      }
    }
    boolean failOpen = bool(n, "failOpen", at);
    int statusOnError = ExtAuthzProvider.DEFAULT_STATUS_ON_ERROR;
    if (n.hasNonNull("statusOnError")) {
      String s = n.get("statusOnError").asText();
      try {
        statusOnError = Integer.parseInt(s);
      } catch (NumberFormatException e) {
        statusOnError = -1;
      }
      if (statusOnError < 100 || statusOnError > 599) {
        throw new MeshConfigException(
            at + ".statusOnError: `" + s + "` is not an HTTP status (100 to 599)");
      }
    }
    String pathPrefix = n.path("pathPrefix").asText("");
    if (!pathPrefix.isEmpty() && !pathPrefix.startsWith("/")) {
      throw new MeshConfigException(at + ".pathPrefix: must start with `/`");
    }
    List<String> include = headers(n, "includeRequestHeadersInCheck", at);
    if (include.isEmpty()) {
      // the deprecated name, still honoured by Istio when the new one is absent
      include = headers(n, "includeHeadersInCheck", at);
    }
    Map<String, String> additional = new LinkedHashMap<>();
    JsonNode extra = n.path("includeAdditionalHeadersInCheck");
    if (!extra.isMissingNode() && !extra.isNull()) {
      if (!extra.isObject()) {
        throw new MeshConfigException(at + ".includeAdditionalHeadersInCheck: expected a mapping");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = extra.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!HEADER_NAME.matcher(e.getKey()).matches()) {
          throw new MeshConfigException(
              at + ".includeAdditionalHeadersInCheck: `" + e.getKey() + "` is not a header name");
        }
        additional.put(e.getKey(), e.getValue().asText());
      }
    }
    return new ExtAuthzProvider(
        name,
        protocol,
        service,
        portNode.asInt(),
        timeout,
        failOpen,
        statusOnError,
        pathPrefix,
        include,
        additional,
        headers(n, "headersToUpstreamOnAllow", at),
        headers(n, "headersToDownstreamOnAllow", at),
        headers(n, "headersToDownstreamOnDeny", at),
        body(n.path("includeRequestBodyInCheck"), at + ".includeRequestBodyInCheck"));
  }

  private static ExtAuthzProvider.RequestBody body(JsonNode b, String at)
      throws MeshConfigException {
    if (b.isMissingNode() || b.isNull()) {
      return null;
    }
    if (!b.isObject()) {
      throw new MeshConfigException(at + ": expected a mapping");
    }
    for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!BODY.contains(field)) {
        throw new MeshConfigException(at + "." + field + ": unknown field");
      }
    }
    JsonNode max = b.path("maxRequestBytes");
    int maxBytes = 0;
    if (!max.isMissingNode() && !max.isNull()) {
      if (!max.canConvertToInt() || max.asInt() < 0) {
        throw new MeshConfigException(at + ".maxRequestBytes: expected a byte count");
      }
      maxBytes = max.asInt();
    }
    return new ExtAuthzProvider.RequestBody(
        maxBytes, bool(b, "allowPartialMessage", at), bool(b, "packAsBytes", at));
  }

  private static boolean bool(JsonNode n, String field, String at) throws MeshConfigException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new MeshConfigException(at + "." + field + ": expected true or false");
    }
    return v.booleanValue();
  }

  private static List<String> headers(JsonNode n, String field, String at)
      throws MeshConfigException {
    JsonNode list = n.path(field);
    List<String> out = new ArrayList<>();
    if (list.isMissingNode() || list.isNull()) {
      return out;
    }
    if (!list.isArray()) {
      throw new MeshConfigException(at + "." + field + ": expected a list of header names");
    }
    for (int i = 0; i < list.size(); i++) {
      String pattern = list.get(i).asText("");
      if (pattern.equals("*")) {
        // istiod's extauthz builder refuses it, and the provider with it
        throw new MeshConfigException(
            at
                + "."
                + field
                + "["
                + i
                + "]: a single wildcard (\"*\") is not supported, change it to either prefix or"
                + " suffix match");
      }
      String bare =
          pattern.equals("*")
              ? "x"
              : pattern.startsWith("*")
                  ? pattern.substring(1)
                  : pattern.endsWith("*") ? pattern.substring(0, pattern.length() - 1) : pattern;
      if (!HEADER_NAME.matcher(bare).matches() || bare.contains("*")) {
        throw new MeshConfigException(
            at
                + "."
                + field
                + "["
                + i
                + "]: `"
                + pattern
                + "` is not a header name, `prefix*`, `*suffix` or `*`");
      }
      out.add(pattern);
    }
    return out;
  }
}
