package dev.meshguard.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed YAML/JSON value. Scalars keep the text as written, so that a number in a string field
 * (`ports: [8080]`) is read back as the user typed it rather than as Jackson resolved it.
 */
sealed interface YamlNode permits YamlNode.MapNode, YamlNode.ListNode, YamlNode.Scalar {

  /** How the value reads in a message: "a map", "the number `8080`". */
  String describe();

  /** A mapping with string keys, in document order. */
  record MapNode(Map<String, YamlNode> fields) implements YamlNode {
    public MapNode {
      fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    YamlNode get(String name) {
      return fields.get(name);
    }

    @Override
    public String describe() {
      return "a map";
    }
  }

  /** A sequence. */
  record ListNode(List<YamlNode> items) implements YamlNode {
    public ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }

  /**
   * A scalar: {@code text} as written; {@code canonical} as YAML resolved it (`0x1F` → `31`, `yes`
   * → `true`), or null when that could not be computed.
   */
  record Scalar(Kind kind, String text, String canonical) implements YamlNode {
    static final Scalar NULL = new Scalar(Kind.NULL, "null", "null");

    static Scalar string(String text) {
      return new Scalar(Kind.STRING, text, text);
    }

    boolean isNull() {
      return kind == Kind.NULL;
    }

    @Override
    public String describe() {
      return switch (kind) {
        case STRING -> "the string " + Text.quote(text);
        case INTEGER, FLOAT -> "the number " + Text.quote(text);
        case BOOLEAN -> "the boolean " + Text.quote(text);
        case NULL -> "null";
      };
    }
  }

  /** Scalar types as YAML 1.1 (what kubectl's YAML reader uses) resolves them. */
  enum Kind {
    STRING,
    INTEGER,
    FLOAT,
    BOOLEAN,
    NULL
  }

  static boolean isNull(YamlNode node) {
    return node == null || (node instanceof Scalar s && s.isNull());
  }
}
