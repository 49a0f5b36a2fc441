package dev.meshguard.engine.authz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** How authorization reads claims: strings, or string elements of lists; nothing else matches. */
final class Claims {
  private Claims() {}

  /** The value at a nested path through JSON objects (no array indexing), or null. */
  static JsonNode at(ObjectNode claims, List<String> path) {
    JsonNode node = claims;
    for (String name : path) {
      if (node == null || !node.isObject()) {
        return null;
      }
      node = node.get(name);
    }
    return node;
  }

  /** True when the claim is a string matching, or a list with a string element matching. */
  static boolean anyStringMatches(JsonNode claim, Predicate<String> value) {
    if (claim == null) {
      return false;
    }
    if (claim.isTextual()) {
      return value.test(claim.asText());
    }
    if (claim.isArray()) {
      for (JsonNode element : claim) {
        if (element.isTextual() && value.test(element.asText())) {
          return true;
        }
      }
    }
    return false;
  }

  /** Splits `request.auth.claims[a][b]` style brackets into names: `[a][b]` → `a`, `b`. */
  static List<String> bracketNames(String brackets) {
    List<String> names = new ArrayList<>();
    int i = 0;
    while (i < brackets.length()) {
      if (brackets.charAt(i) != '[') {
        return null;
      }
      int close = brackets.indexOf(']', i);
      if (close < 0) {
        return null;
      }
      names.add(brackets.substring(i + 1, close));
      i = close + 1;
    }
    return names.isEmpty() ? null : names;
  }
}
