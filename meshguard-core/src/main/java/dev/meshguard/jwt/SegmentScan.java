package dev.meshguard.jwt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Reads a JWT header or payload in one streaming pass, accepting exactly what {@link EnvoyJson}
 * accepts, and keeps only the top-level members asked for (`alg`, `kid`; `iss`, `sub`, `aud`, ...):
 * no tree is built for a token on the hot path. The tree is built later only if something reads the
 * whole payload ({@link Jwt#payload()}).
 *
 * <p>One thread's reusable object: {@link #scan} resets it.
 */
final class SegmentScan {
  /** What a wanted member held. */
  enum Kind {
    ABSENT,
    STRING,
    NUMBER,
    /** An array whose elements are all strings (possibly none). */
    STRING_ARRAY,
    /** Anything else: null, a boolean, an object, an array with a non-string element. */
    OTHER
  }

  /** Above this many names in one object, duplicates are found with a hash set. */
  private static final int LINEAR_NAMES = 16;

  private String[] wanted = new String[0];
  private final Kind[] kinds = new Kind[8];
  private final String[] texts = new String[8];
  private final double[] numbers = new double[8];
  private final List<String> strings = new ArrayList<>();
  private final List<Names> levels = new ArrayList<>();

  /**
   * Scans a document from {@code parser}; false when Envoy would not parse it as an object (except
   * for protobuf's bare-word rule, which the caller checks on the text). {@code wanted} names the
   * top-level members to keep (at most 8; only one of them may be an array of strings).
   */
  boolean scan(JsonParser parser, boolean checkSurrogates, String[] wanted) throws IOException {
    reset(wanted);
    JsonToken first = parser.nextToken();
    if (first == JsonToken.START_OBJECT) {
      if (!scanObjectBody(parser, checkSurrogates)) {
        return false;
      }
    } else if (first != JsonToken.VALUE_NULL) {
      return false;
    }
    return parser.nextToken() == null;
  }

  /** Forgets the last document; {@code wanted} names the members to keep. */
  void reset(String[] wanted) {
    this.wanted = wanted;
    for (int i = 0; i < wanted.length; i++) {
      kinds[i] = Kind.ABSENT;
      texts[i] = null;
    }
    strings.clear();
  }

  void setKind(int slot, Kind kind) {
    kinds[slot] = kind;
  }

  void setString(int slot, String text) {
    kinds[slot] = Kind.STRING;
    texts[slot] = text;
  }

  void setNumber(int slot, double value) {
    kinds[slot] = Kind.NUMBER;
    numbers[slot] = value;
  }

  /** An element of the member being read as {@link Kind#STRING_ARRAY}. */
  void addString(String text) {
    strings.add(text);
  }

  Kind kind(int slot) {
    return kinds[slot];
  }

  String text(int slot) {
    return texts[slot];
  }

  double number(int slot) {
    return numbers[slot];
  }

  /** The strings of the member found as {@link Kind#STRING_ARRAY}, as an immutable list. */
  List<String> stringArray() {
    return List.copyOf(strings);
  }

  /**
   * After the root's START_OBJECT up to its END_OBJECT, without recursion, with {@link EnvoyJson}'s
   * checks: no key twice in one object, paired surrogates, finite numbers. Depth is bounded by the
   * parser's nesting constraint.
   */
  private boolean scanObjectBody(JsonParser parser, boolean checkSurrogates) throws IOException {
    int depth = 0; // of the container being read; 0 is the root object
    names(0).reset(true);
    int slot = -1; // the wanted member whose value comes next (depth 0) or is being read
    boolean inWantedArray = false;
    while (true) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        return false;
      }
      switch (token) {
        case FIELD_NAME -> {
          String name = parser.currentName();
          if ((checkSurrogates && !EnvoyJson.hasPairedSurrogates(name))
              || !names(depth).add(name)) {
            return false;
          }
          if (depth == 0) {
            slot = slotOf(name);
          }
        }
        case END_OBJECT, END_ARRAY -> {
          if (depth == 0) {
            return true;
          }
          depth--;
          if (depth == 0) {
            inWantedArray = false;
            slot = -1;
          }
        }
        case START_OBJECT, START_ARRAY -> {
          boolean object = token == JsonToken.START_OBJECT;
          if (depth == 0 && slot >= 0) {
            if (object) {
              kinds[slot] = Kind.OTHER;
            } else {
              kinds[slot] = Kind.STRING_ARRAY;
              inWantedArray = true;
            }
          } else if (inWantedArray && depth == 1) {
            kinds[slot] = Kind.OTHER;
          }
          depth++;
          names(depth).reset(object);
        }
        case VALUE_STRING -> {
          String text = parser.getText();
          if (checkSurrogates && !EnvoyJson.hasPairedSurrogates(text)) {
            return false;
          }
          if (depth == 0 && slot >= 0) {
            kinds[slot] = Kind.STRING;
            texts[slot] = text;
          } else if (inWantedArray && depth == 1) {
            strings.add(text);
          }
        }
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
          double value = Double.parseDouble(parser.getText());
          if (!Double.isFinite(value)) {
            return false;
          }
          if (depth == 0 && slot >= 0) {
            kinds[slot] = Kind.NUMBER;
            numbers[slot] = value;
          } else if (inWantedArray && depth == 1) {
            kinds[slot] = Kind.OTHER;
          }
        }
        case VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> {
          if (depth == 0 && slot >= 0) {
            kinds[slot] = Kind.OTHER;
          } else if (inWantedArray && depth == 1) {
            kinds[slot] = Kind.OTHER;
          }
        }
        default -> {
          return false;
        }
      }
    }
  }

  private int slotOf(String name) {
    for (int i = 0; i < wanted.length; i++) {
      if (wanted[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private Names names(int depth) {
    while (levels.size() <= depth) {
      levels.add(new Names());
    }
    return levels.get(depth);
  }

  /** The names seen in one open object (an array keeps none), reused across documents. */
  private static final class Names {
    private final List<String> few = new ArrayList<>();
    private HashSet<String> many;
    private boolean object;

    void reset(boolean isObject) {
      object = isObject;
      few.clear();
      if (many != null) {
        many = null;
      }
    }

    /** False when the object already has this name. */
    boolean add(String name) {
      if (!object) {
        return true;
      }
      if (many != null) {
        return many.add(name);
      }
      if (few.contains(name)) {
        return false;
      }
      few.add(name);
      if (few.size() > LINEAR_NAMES) {
        many = new HashSet<>(few);
      }
      return true;
    }
  }
}
