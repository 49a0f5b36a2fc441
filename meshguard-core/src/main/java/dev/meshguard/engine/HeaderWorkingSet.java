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
  private final RequestHeaders original;
  // copied on the first change: most requests pass the JWT step without changing a header
  private List<Map.Entry<String, String>> entries;
  private Set<String> removed = Set.of();
  private List<Map.Entry<String, String>> added = List.of();

  public HeaderWorkingSet(RequestHeaders original) {
    this.original = original;
  }

  private List<Map.Entry<String, String>> changing() {
    if (entries == null) {
      entries = new ArrayList<>(original.entries());
      removed = new LinkedHashSet<>();
      added = new ArrayList<>();
    }
    return entries;
  }

  /** Removes every header with this name (case-insensitive). */
  public void remove(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    boolean changed = changing().removeIf(e -> e.getKey().equalsIgnoreCase(lower));
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
    changing().add(Map.entry(lower, value));
    added.add(Map.entry(lower, value));
  }

  public List<String> all(String name) {
    return entries == null ? original.all(name) : RequestHeaders.valuesOf(entries, name);
  }

  public RequestHeaders current() {
    return entries == null ? original : RequestHeaders.of(entries);
  }

  /** Lower-case names of headers to drop before forwarding. */
  public List<String> removedNames() {
    return removed.isEmpty() ? List.of() : List.copyOf(removed);
  }

  /** Headers to add (after the removals) before forwarding. */
  public List<Map.Entry<String, String>> addedHeaders() {
    return added.isEmpty() ? List.of() : List.copyOf(added);
  }
}
