package dev.meshguard.jwt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Reads JSON the way Envoy does for JWT headers, payloads and JWKS: protobuf's {@code
 * JsonStringToMessage} into a {@code google.protobuf.Struct}, which runs in protobuf's legacy mode.
 *
 * <p>What that means, and how it is reproduced:
 *
 * <ul>
 *   <li>the document must be an object, or the literal {@code null} (read as an empty object);
 *   <li>legacy leniency: one trailing comma, single-quoted strings, bare-word keys, raw control
 *       characters inside strings (Jackson features of the same names);
 *   <li>at most 100 nested objects/arrays (protobuf's recursion limit; Jackson's nesting
 *       constraint is set to the same number, so deep input fails fast and never recurses);
 *   <li>every number becomes an IEEE double and must be finite ({@code 1e400} makes the whole
 *       document invalid); integral values are kept as {@link LongNode} when they fit, since that
 *       is the same value and prints the way Envoy prints integral claims;
 *   <li>a key repeated within one object is an error;
 *   <li>{@code \\u} escapes must pair surrogates correctly.
 * </ul>
 *
 * <p>Known differences, all rare and all fail-closed except the first: Jackson accepts {@code $}
 * and non-ASCII letters in bare-word keys and bare {@code null}/{@code true}/{@code false} as
 * keys; callers decoding bytes reject overlong or surrogate UTF-8 sequences that protobuf's
 * shallow UTF-8 check lets through; protobuf's legacy {@code \\U} escape is not supported.
 */
final class EnvoyJson {
  /** protobuf's {@code ParseOptions::kDefaultDepth}. */
  static final int MAX_DEPTH = 100;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
          .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
          .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
          // Names are attacker-chosen: keep them out of a shared symbol table.
          .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_DEPTH)
                  // protobuf has no length limits; input size is bounded by the callers.
                  .maxNumberLength(Integer.MAX_VALUE)
                  .maxStringLength(Integer.MAX_VALUE)
                  .maxNameLength(Integer.MAX_VALUE)
                  .build())
          .build();

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final double TWO_POW_63 = 0x1p63;

  private EnvoyJson() {}

  /** The document as an object, or null when Envoy would not parse it. */
  static ObjectNode parseObject(String json) {
    try (JsonParser parser = FACTORY.createParser(json)) {
      JsonToken first = parser.nextToken();
      ObjectNode root;
      if (first == JsonToken.VALUE_NULL) {
        root = NODES.objectNode();
      } else if (first == JsonToken.START_OBJECT) {
        root = readObjectBody(parser);
        if (root == null) {
          return null;
        }
      } else {
        return null;
      }
      return parser.nextToken() == null ? root : null;
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /** Reads after the root's START_OBJECT up to its END_OBJECT without recursion. */
  private static ObjectNode readObjectBody(JsonParser parser) throws IOException {
    ObjectNode root = NODES.objectNode();
    Deque<ContainerNode<?>> parents = new ArrayDeque<>();
    ContainerNode<?> current = root;
    String name = null;
    while (true) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        return null;
      }
      JsonNode value;
      switch (token) {
        case FIELD_NAME -> {
          name = parser.currentName();
          if (!hasPairedSurrogates(name) || ((ObjectNode) current).has(name)) {
            return null;
          }
          continue;
        }
        case END_OBJECT, END_ARRAY -> {
          if (parents.isEmpty()) {
            return root;
          }
          current = parents.pop();
          continue;
        }
        case START_OBJECT -> value = NODES.objectNode();
        case START_ARRAY -> value = NODES.arrayNode();
        case VALUE_STRING -> {
          String text = parser.getText();
          if (!hasPairedSurrogates(text)) {
            return null;
          }
          value = TextNode.valueOf(text);
        }
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
          value = number(parser.getText());
          if (value == null) {
            return null;
          }
        }
        case VALUE_TRUE -> value = BooleanNode.TRUE;
        case VALUE_FALSE -> value = BooleanNode.FALSE;
        case VALUE_NULL -> value = NullNode.instance;
        default -> {
          return null;
        }
      }
      if (current instanceof ObjectNode object) {
        object.set(name, value);
      } else {
        ((ArrayNode) current).add(value);
      }
      if (value instanceof ContainerNode<?> container) {
        parents.push(current);
        current = container;
      }
    }
  }

  /** protobuf keeps numbers as doubles and refuses non-finite ones. */
  private static JsonNode number(String text) {
    double value = Double.parseDouble(text);
    if (!Double.isFinite(value)) {
      return null;
    }
    if (value == Math.rint(value) && value >= -TWO_POW_63 && value < TWO_POW_63) {
      return LongNode.valueOf((long) value);
    }
    return DoubleNode.valueOf(value);
  }

  /**
   * protobuf refuses a {@code \\u} escape of an unpaired surrogate. The text reaching Jackson is
   * either a Java string or strictly decoded UTF-8, neither of which yields a lone surrogate, so
   * one here came from such an escape.
   */
  private static boolean hasPairedSurrogates(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
