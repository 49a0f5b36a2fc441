package dev.meshguard.engine;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The request headers as they change while the request passes the JWT step: output headers are
 * sanitised, token headers removed, claim headers added. Authorization sees the result (as Envoy's
 * RBAC filter sees what jwt_authn left), and the proxy applies the same changes upstream.
 */
public final class HeaderWorkingSet {
  private final List<Map.Entry<String, String>> entries;
  private final Set<String> removed = new LinkedHashSet<>();
  private final List<Map.Entry<String, String>> added = new ArrayList<>();

  public HeaderWorkingSet(RequestHeaders original) {
    this.entries = new ArrayList<>(original.entries());
  }

  /** Removes every header with this name (case-insensitive). */
  public void remove(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    boolean changed = entries.removeIf(e -> e.getKey().equalsIgnoreCase(lower));
    added.removeIf(e -> e.getKey().equals(lower));
    if (changed || !removed.contains(lower)) {
      removed.add(lower);
    }
  }

  /** Replaces any header with this name by one with {@code value} (Envoy `setCopy`). */
  public void set(String name, String value) {
    remove(name);
    String lower = name.toLowerCase(Locale.ROOT);
    entries.add(Map.entry(lower, value));
    added.add(Map.entry(lower, value));
  }

  /** Adds a header beside any of that name (Envoy `addCopy`). */
  public void add(String name, String value) {
    String lower = name.toLowerCase(Locale.ROOT);
    entries.add(Map.entry(lower, value));
    added.add(Map.entry(lower, value));
  }

  public List<String> all(String name) {
    return RequestHeaders.valuesOf(entries, name);
  }

  public RequestHeaders current() {
    return RequestHeaders.of(entries);
  }

  /** Lower-case names of headers to drop before forwarding. */
  public List<String> removedNames() {
    return List.copyOf(removed);
  }

  /** Headers to add (after the removals) before forwarding. */
  public List<Map.Entry<String, String>> addedHeaders() {
    return List.copyOf(added);
  }
}
