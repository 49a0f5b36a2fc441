package dev.meshguard.cli.policytest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One value of a test file with its field path (`cases[2].request.path`), read strictly: wrong
 * types, unknown fields and missing required fields are errors naming the file and the field.
 */
final class YamlField {
  private final String file;
  private final String path;
  private final JsonNode node;

  YamlField(String file, String path, JsonNode node) {
    this.file = file;
    this.path = path;
    this.node = node;
  }

  String path() {
    return path;
  }

  JsonNode node() {
    return node;
  }

  boolean isMissing() {
    return node == null || node.isNull() || node.isMissingNode();
  }

  TestFileException error(String message) {
    return new TestFileException(file, path, message);
  }

  /** A map whose keys must be among {@code known}. */
  YamlField map(Set<String> known) throws TestFileException {
    if (!node.isObject()) {
      throw error("expected a map, got " + describe());
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw new TestFileException(
            file,
            child(name),
            "unknown field (known: " + String.join(", ", new TreeSet<>(known)) + ")");
      }
    }
    return this;
  }

  YamlField get(String name) {
    return new YamlField(file, child(name), node == null ? null : node.get(name));
  }

  private String child(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  String text() throws TestFileException {
    if (isMissing()) {
      return null;
    }
    if (!node.isValueNode() || node.isBinary()) {
      throw error("expected a string, got " + describe());
    }
    return node.asText();
  }

  String requiredText() throws TestFileException {
    String t = text();
    if (t == null || t.isEmpty()) {
      throw error("required");
    }
    return t;
  }

  Integer integer() throws TestFileException {
    if (isMissing()) {
      return null;
    }
    if (node.isIntegralNumber() && node.canConvertToInt()) {
      return node.intValue();
    }
    if (node.isTextual()) {
      try {
        return Integer.parseInt(node.asText().trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw error("expected an integer, got " + describe());
  }

  Long longValue() throws TestFileException {
    if (isMissing()) {
      return null;
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    throw error("expected an integer (epoch seconds), got " + describe());
  }

  Boolean bool() throws TestFileException {
    if (isMissing()) {
      return null;
    }
    if (!node.isBoolean()) {
      throw error("expected true or false, got " + describe());
    }
    return node.booleanValue();
  }

  /** The items of a list; a missing list is empty. */
  List<YamlField> list() throws TestFileException {
    List<YamlField> out = new ArrayList<>();
    if (isMissing()) {
      return out;
    }
    if (!node.isArray()) {
      throw error("expected a list, got " + describe());
    }
    for (int i = 0; i < node.size(); i++) {
      out.add(new YamlField(file, path + "[" + i + "]", node.get(i)));
    }
    return out;
  }

  /** A string, or a list of strings; missing is empty. */
  List<String> texts() throws TestFileException {
    List<String> out = new ArrayList<>();
    if (isMissing()) {
      return out;
    }
    if (!node.isArray()) {
      out.add(text());
      return out;
    }
    for (YamlField item : list()) {
      out.add(item.requiredText());
    }
    return out;
  }

  /** A map of strings to strings; missing is empty. */
  Map<String, String> stringMap() throws TestFileException {
    Map<String, String> out = new LinkedHashMap<>();
    if (isMissing()) {
      return out;
    }
    if (!node.isObject()) {
      throw error("expected a map, got " + describe());
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      out.put(name, get(name).text());
    }
    return out;
  }

  private String describe() {
    if (isMissing()) {
      return "nothing";
    }
    if (node.isObject()) {
      return "a map";
    }
    if (node.isArray()) {
      return "a list";
    }
    return "`" + node.asText() + "`";
  }
}
