package dev.meshguard.engine.authz;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Function;

/** What a request had for an attribute, in words, so explanations can say why a value matched. */
final class Observed {
  private Observed() {}

  static Function<AuthzRequest, String> forField(String field) {
    return switch (field) {
      case "principals", "namespaces", "serviceAccounts", "trustDomains" -> Observed::peer;
      case "requestPrincipals" -> Observed::requestPrincipal;
      case "ipBlocks" -> r -> text("source.ip", r.sourceIp());
      case "remoteIpBlocks" -> r -> text("remote.ip", r.remoteIp());
      case "hosts" -> r -> text("host", r.host());
      case "ports" -> r -> "port " + r.destinationPort();
      case "methods" -> r -> text("method", r.method());
      case "paths" -> r -> text("path", r.path());
      default -> r -> "the request";
    };
  }

  static Function<AuthzRequest, String> forKey(String key) {
    switch (key) {
      case "source.ip":
        return r -> text("source.ip", r.sourceIp());
      case "remote.ip":
        return r -> text("remote.ip", r.remoteIp());
      case "destination.ip":
        return r -> text("destination.ip", r.destinationIp());
      case "destination.port":
        return r -> "port " + r.destinationPort();
      case "connection.sni":
        return r -> text("sni", r.sni());
      case "request.auth.principal":
        return Observed::requestPrincipal;
      case "request.auth.audiences":
        return r -> claim(r, List.of("aud"));
      case "request.auth.presenter":
        return r -> claim(r, List.of("azp"));
      default:
        break;
    }
    if (key.startsWith("source.")) {
      return Observed::peer;
    }
    if (key.startsWith("request.headers[") && key.endsWith("]")) {
      String name = key.substring("request.headers[".length(), key.length() - 1);
      return r -> {
        List<String> values = r.headerValues(name);
        return values.isEmpty() ? "no `" + name + "` header" : "`" + name + "` " + values;
      };
    }
    if (key.startsWith("request.auth.claims[")) {
      List<String> names = Claims.bracketNames(key.substring("request.auth.claims".length()));
      return r -> names == null ? "the request" : claim(r, names);
    }
    return r -> "the request";
  }

  private static String text(String what, String value) {
    return value == null ? "no " + what : what + " `" + value + "`";
  }

  private static String peer(AuthzRequest r) {
    return r.peerUri() == null ? "no mTLS peer identity" : "peer `" + r.peerUri() + "`";
  }

  private static String requestPrincipal(AuthzRequest r) {
    if (r.claims() == null) {
      return "no verified JWT (the request is unauthenticated)";
    }
    return "token iss `"
        + r.claims().json().path("iss").asText("")
        + "`, sub `"
        + r.claims().json().path("sub").asText("")
        + "`";
  }

  private static String claim(AuthzRequest r, List<String> names) {
    if (r.claims() == null) {
      return "no verified JWT (the request is unauthenticated)";
    }
    JsonNode node = Claims.at(r.claims().json(), names);
    return node == null ? "no claim " + names : "claim " + names + " = " + node;
  }
}
