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
 *       characters inside strings (Jackson features of the same names; bare words are then held to
 *       protobuf's narrower {@code [A-Za-z_][A-Za-z0-9_]*});
 *   <li>at most 100 nested objects/arrays (protobuf's recursion limit; Jackson's nesting constraint
 *       is set to the same number, so deep input fails fast and never recurses);
 *   <li>every number becomes an IEEE double and must be finite ({@code 1e400} makes the whole
 *       document invalid); integral values are kept as {@link LongNode} when they fit, since that
 *       is the same value and prints the way Envoy prints integral claims;
 *   <li>a key repeated within one object is an error;
 *   <li>{@code \\u} escapes must pair surrogates correctly.
 * </ul>
 *
 * <p>Known differences, rare and fail-closed (refusing what Envoy accepts): callers decoding bytes
 * reject overlong or surrogate UTF-8 sequences that protobuf's shallow UTF-8 check lets through;
 * protobuf's legacy {@code \\U} escape is not supported.
 */
final class EnvoyJson {
  /** protobuf's {@code ParseOptions::kDefaultDepth}. */
  static final int MAX_DEPTH = 100;

  static final JsonFactory FACTORY =
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
    return parseObject(json, true);
  }

  /**
   * {@link #parseObject(String)} for text decoded strictly from UTF-8, which holds no lone
   * surrogate: one can then come only from a {@code \\u} escape, so without a backslash the
   * surrogate checks are skipped.
   */
  static ObjectNode parseDecodedObject(String json) {
    return parseObject(json, json.indexOf('\\') >= 0);
  }

  private static ObjectNode parseObject(String json, boolean checkSurrogates) {
    try (JsonParser parser = FACTORY.createParser(json)) {
      JsonToken first = parser.nextToken();
      ObjectNode root;
      if (first == JsonToken.VALUE_NULL) {
        root = NODES.objectNode();
      } else if (first == JsonToken.START_OBJECT) {
        root = readObjectBody(parser, checkSurrogates);
        if (root == null) {
          return null;
        }
      } else {
        return null;
      }
      if (parser.nextToken() != null || !bareKeysAreProtobufWords(json)) {
        return null;
      }
      return root;
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /** Reads after the root's START_OBJECT up to its END_OBJECT without recursion. */
  private static ObjectNode readObjectBody(JsonParser parser, boolean checkSurrogates)
      throws IOException {
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
          if ((checkSurrogates && !hasPairedSurrogates(name)) || ((ObjectNode) current).has(name)) {
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
          if (checkSurrogates && !hasPairedSurrogates(text)) {
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

  /**
   * protobuf's legacy bare-word keys are {@code [A-Za-z_][A-Za-z0-9_]*} other than {@code null},
   * {@code true} and {@code false}; Jackson's unquoted names allow much more ({@code 1a}, {@code
   * a-b}, {@code $}, non-ASCII letters). Jackson has accepted the document, so it is well formed: a
   * run of characters outside strings that is followed by {@code :} is a bare key.
   */
  static boolean bareKeysAreProtobufWords(CharSequence json) {
    int length = json.length();
    int i = 0;
    while (i < length) {
      char c = json.charAt(i);
      if (c == '"' || c == '\'') {
        i = afterString(json, i);
      } else if (isStructural(c)) {
        i++;
      } else {
        int start = i;
        while (i < length && !isStructural(json.charAt(i))) {
          i++;
        }
        int next = i;
        while (next < length && isJsonSpace(json.charAt(next))) {
          next++;
        }
        if (next < length && json.charAt(next) == ':' && !isProtobufBareWord(json, start, i)) {
          return false;
        }
      }
    }
    return true;
  }

  /** The index after the string literal starting at {@code start} (well formed, per Jackson). */
  private static int afterString(CharSequence json, int start) {
    char quote = json.charAt(start);
    int i = start + 1;
    while (i < json.length()) {
      char c = json.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == quote) {
        return i + 1;
      } else {
        i++;
      }
    }
    return i;
  }

  private static boolean isStructural(char c) {
    return isJsonSpace(c)
        || c == '{'
        || c == '}'
        || c == '['
        || c == ']'
        || c == ','
        || c == ':'
        || c == '"'
        || c == '\'';
  }

  private static boolean isJsonSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  private static boolean isProtobufBareWord(CharSequence json, int start, int end) {
    char first = json.charAt(start);
    if (!(first == '_' || isAsciiLetter(first))) {
      return false;
    }
    for (int i = start + 1; i < end; i++) {
      char c = json.charAt(i);
      if (!(c == '_' || isAsciiLetter(c) || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return !isWord(json, start, end, "null")
        && !isWord(json, start, end, "true")
        && !isWord(json, start, end, "false");
  }

  private static boolean isWord(CharSequence json, int start, int end, String word) {
    if (end - start != word.length()) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      if (json.charAt(start + i) != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
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
   * protobuf refuses a {@code \\u} escape of an unpaired surrogate. Token segments reach Jackson
   * strictly decoded from UTF-8, which yields no lone surrogate, so one here came from such an
   * escape.
   */
  static boolean hasPairedSurrogates(String text) {
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
