package dev.meshguard.jwt;

import java.nio.charset.StandardCharsets;

/**
 * A fast path for {@link SegmentScan}: reads a header or payload that is plain RFC 8259 JSON in
 * printable ASCII without escapes (what token issuers write) straight from the decoded bytes, with
 * no parser object and no string but the member values kept.
 *
 * <p>It only ever answers "accepted, with these members" or "not sure": anything outside that
 * subset (escapes, control characters, single quotes, bare words, trailing commas, a non-finite or
 * unusual number, deep nesting, many names in one object, a repeated name, any syntax error) is
 * left to the full scan, which decides. Every document accepted here is one {@link EnvoyJson}
 * accepts with the same top-level values: strict JSON is within Jackson's lenient reading, has no
 * bare keys and no escapes (so no surrogates), and names repeated in one object are refused here.
 *
 * <p>One thread's reusable object.
 */
final class StrictScan {
  private static final int MAX_DEPTH = 32;
  private static final int MAX_NAMES = 256; // names of all open objects together
  private static final int MAX_NAMES_PER_OBJECT = 32;

  /** Longest integer read without {@link Double#parseDouble}: 18 digits always fit a long. */
  private static final int MAX_FAST_DIGITS = 18;

  private byte[] in = new byte[0];
  private int end;
  private int at;
  private final boolean[] isObject = new boolean[MAX_DEPTH + 1];
  private final int[] firstName = new int[MAX_DEPTH + 1];
  private final int[] nameStart = new int[MAX_NAMES];
  private final int[] nameLength = new int[MAX_NAMES];
  private int names;
  private double number;

  /**
   * Scans {@code bytes[0, length)} into {@code out} for {@code wanted}; false when not sure (then
   * {@code out} holds garbage and the caller runs the full scan, which resets it).
   */
  boolean scan(byte[] bytes, int length, String[] wanted, SegmentScan out) {
    in = bytes;
    end = length;
    at = 0;
    names = 0;
    out.reset(wanted);
    skipSpace();
    if (at < end && in[at] == 'n') {
      if (!literal("null")) {
        return false;
      }
    } else if (at < end && in[at] == '{') {
      if (!object(wanted, out)) {
        return false;
      }
    } else {
      return false;
    }
    skipSpace();
    return at == end;
  }

  /** The root object, from its `{`; iterative, depth-bounded. */
  private boolean object(String[] wanted, SegmentScan out) {
    int depth = 0;
    isObject[0] = true;
    firstName[0] = 0;
    at++; // `{`
    int slot = -1; // wanted root member whose value is being read
    boolean expectValue = false; // after `:` or `,` in an array, or `[`
    boolean first = true; // nothing read yet in the current container
    while (true) {
      skipSpace();
      if (at >= end) {
        return false;
      }
      byte c = in[at];
      if (!expectValue) {
        // At a container's start or after a value: a close, a `,`, or (object start) a name.
        if (c == (isObject[depth] ? '}' : ']')) {
          at++;
          names = firstName[depth];
          if (depth == 0) {
            return true;
          }
          depth--;
          if (depth == 0) {
            slot = -1;
          }
          first = false;
          continue;
        }
        if (!first) {
          if (c != ',') {
            return false;
          }
          at++;
          skipSpace();
          if (at >= end) {
            return false;
          }
          c = in[at];
        }
        first = false;
        if (isObject[depth]) {
          if (c != '"') {
            return false;
          }
          int start = at + 1;
          if (!skipString()) {
            return false;
          }
          int length = at - 1 - start;
          if (!addName(depth, start, length)) {
            return false;
          }
          if (depth == 0) {
            slot = slotOf(wanted, start, length);
          }
          skipSpace();
          if (at >= end || in[at] != ':') {
            return false;
          }
          at++;
          skipSpace();
          if (at >= end) {
            return false;
          }
          c = in[at];
        }
        expectValue = true;
      }
      // A value.
      expectValue = false;
      boolean rootValue = depth == 0 && slot >= 0;
      boolean arrayElement = depth == 1 && slot >= 0 && !isObject[1];
      if (c == '{' || c == '[') {
        if (depth == MAX_DEPTH) {
          return false;
        }
        if (rootValue) {
          out.setKind(slot, c == '{' ? SegmentScan.Kind.OTHER : SegmentScan.Kind.STRING_ARRAY);
        } else if (arrayElement) {
          out.setKind(slot, SegmentScan.Kind.OTHER);
        }
        at++;
        depth++;
        isObject[depth] = c == '{';
        firstName[depth] = names;
        first = true;
        continue;
      }
      if (c == '"') {
        int start = at + 1;
        if (!skipString()) {
          return false;
        }
        if (rootValue) {
          out.setString(slot, ascii(start, at - 1 - start));
        } else if (arrayElement) {
          out.addString(ascii(start, at - 1 - start));
        }
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        if (!number()) {
          return false;
        }
        if (rootValue) {
          out.setNumber(slot, number);
        } else if (arrayElement) {
          out.setKind(slot, SegmentScan.Kind.OTHER);
        }
      } else if (literal("true") || literal("false") || literal("null")) {
        if (rootValue || arrayElement) {
          out.setKind(slot, SegmentScan.Kind.OTHER);
        }
      } else {
        return false;
      }
    }
  }

  /** From a `"`, past the closing `"`; false on anything but printable ASCII other than `\`. */
  private boolean skipString() {
    at++;
    while (at < end) {
      byte c = in[at++];
      if (c == '"') {
        return true;
      }
      if (c < 0x20 || c == '\\' || c == 0x7f) {
        return false;
      }
    }
    return false;
  }

  /**
   * RFC 8259's number, into {@link #number}; false for anything else, for a number not followed by
   * a delimiter, and for a non-finite value.
   */
  private boolean number() {
    int start = at;
    boolean negative = in[at] == '-';
    if (negative) {
      at++;
    }
    int digitsStart = at;
    if (at < end && in[at] == '0') {
      at++;
    } else {
      while (at < end && in[at] >= '0' && in[at] <= '9') {
        at++;
      }
    }
    int digits = at - digitsStart;
    if (digits == 0) {
      return false;
    }
    boolean integral = true;
    if (at < end && in[at] == '.') {
      integral = false;
      at++;
      int fractionStart = at;
      while (at < end && in[at] >= '0' && in[at] <= '9') {
        at++;
      }
      if (at == fractionStart) {
        return false;
      }
    }
    if (at < end && (in[at] == 'e' || in[at] == 'E')) {
      integral = false;
      at++;
      if (at < end && (in[at] == '+' || in[at] == '-')) {
        at++;
      }
      int exponentStart = at;
      while (at < end && in[at] >= '0' && in[at] <= '9') {
        at++;
      }
      if (at == exponentStart) {
        return false;
      }
    }
    if (at < end && !isDelimiter(in[at])) {
      return false;
    }
    if (integral && digits <= MAX_FAST_DIGITS) {
      long magnitude = 0;
      for (int i = digitsStart; i < at; i++) {
        magnitude = magnitude * 10 + (in[i] - '0');
      }
      // long to double rounds to nearest, as parsing the digits does; -0 stays negative zero.
      number = negative ? -(double) magnitude : (double) magnitude;
      return true;
    }
    number = Double.parseDouble(ascii(start, at - start));
    return Double.isFinite(number);
  }

  private boolean literal(String word) {
    int length = word.length();
    if (end - at < length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (in[at + i] != word.charAt(i)) {
        return false;
      }
    }
    if (at + length < end && !isDelimiter(in[at + length])) {
      return false;
    }
    at += length;
    return true;
  }

  private static boolean isDelimiter(byte c) {
    return c == ',' || c == '}' || c == ']' || isSpace(c);
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  private void skipSpace() {
    while (at < end && isSpace(in[at])) {
      at++;
    }
  }

  /** Records a name of the object at {@code depth}; false when repeated or too many to track. */
  private boolean addName(int depth, int start, int length) {
    int from = firstName[depth];
    if (names - from >= MAX_NAMES_PER_OBJECT || names >= MAX_NAMES) {
      return false;
    }
    for (int i = from; i < names; i++) {
      if (nameLength[i] == length && sameBytes(nameStart[i], start, length)) {
        return false;
      }
    }
    nameStart[names] = start;
    nameLength[names] = length;
    names++;
    return true;
  }

  private boolean sameBytes(int a, int b, int length) {
    for (int i = 0; i < length; i++) {
      if (in[a + i] != in[b + i]) {
        return false;
      }
    }
    return true;
  }

  private int slotOf(String[] wanted, int start, int length) {
    for (int s = 0; s < wanted.length; s++) {
      String name = wanted[s];
      if (name.length() == length) {
        boolean same = true;
        for (int i = 0; i < length && same; i++) {
          same = in[start + i] == name.charAt(i);
        }
        if (same) {
          return s;
        }
      }
    }
    return -1;
  }

  private String ascii(int start, int length) {
    return new String(in, start, length, StandardCharsets.US_ASCII);
  }
}
