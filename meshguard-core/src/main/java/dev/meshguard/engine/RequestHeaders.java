package dev.meshguard.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Request headers as the engine sees them: names case-insensitive, order and repetition kept. The
 * pseudo-header `:authority` is not here; the host travels in {@link CheckRequest#host()}.
 */
public final class RequestHeaders {
  private final List<Map.Entry<String, String>> entries;

  private RequestHeaders(List<Map.Entry<String, String>> entries) {
    this.entries = entries;
  }

  public static RequestHeaders of(List<Map.Entry<String, String>> entries) {
    List<Map.Entry<String, String>> copy = new ArrayList<>(entries.size());
    for (Map.Entry<String, String> e : entries) {
      Objects.requireNonNull(e.getKey(), "header name");
      Objects.requireNonNull(e.getValue(), "header value");
      copy.add(Map.entry(e.getKey(), e.getValue()));
    }
    return new RequestHeaders(Collections.unmodifiableList(copy));
  }

  /**
   * Headers from a list the caller built for this request alone and never changes afterwards: no
   * copy (the proxy's hot path). Null names or values are refused as in {@link #of}.
   */
  public static RequestHeaders ofUnshared(List<Map.Entry<String, String>> entries) {
    for (Map.Entry<String, String> e : entries) {
      Objects.requireNonNull(e.getKey(), "header name");
      Objects.requireNonNull(e.getValue(), "header value");
    }
    return new RequestHeaders(Collections.unmodifiableList(entries));
  }

  public static RequestHeaders empty() {
    return new RequestHeaders(List.of());
  }

  /** Every (name, value) pair in arrival order; names as received. */
  public List<Map.Entry<String, String>> entries() {
    return entries;
  }

  /** All values of a header, in order; empty when absent. */
  public List<String> all(String name) {
    return valuesOf(entries, name);
  }

  static List<String> valuesOf(List<Map.Entry<String, String>> entries, String name) {
    List<String> out = new ArrayList<>(1);
    for (Map.Entry<String, String> e : entries) {
      if (e.getKey().equalsIgnoreCase(name)) {
        out.add(e.getValue());
      }
    }
    return out;
  }

  /** Values of a repeated header joined with `,` (as Envoy does), or null when absent. */
  public String joined(String name) {
    String result = null;
    for (Map.Entry<String, String> e : entries) {
      if (e.getKey().equalsIgnoreCase(name)) {
        result = result == null ? e.getValue() : result + "," + e.getValue();
      }
    }
    return result;
  }

  public boolean contains(String name) {
    for (Map.Entry<String, String> e : entries) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
