package dev.meshguard.kube;

import java.util.List;
import java.util.Objects;

/**
 * Which namespaces are watched, as istiod's discovery selectors: all of them, a list, or those
 * whose labels match a selector. The mesh root namespace is always in scope, since its policies
 * apply to every workload.
 *
 * @param namespaces the namespaces to watch; empty means all (unless a selector is set)
 * @param labelSelector a Kubernetes label selector for namespaces (`env=prod,team in (a,b)`), or
 *     null
 */
public record NamespaceScope(List<String> namespaces, String labelSelector) {
  public NamespaceScope {
    namespaces = List.copyOf(namespaces);
    if (!namespaces.isEmpty() && labelSelector != null) {
      throw new IllegalArgumentException(
          "a namespace list and a namespace label selector do not go together");
    }
  }

  public static NamespaceScope all() {
    return new NamespaceScope(List.of(), null);
  }

  boolean isAll() {
    return namespaces.isEmpty() && labelSelector == null;
  }

  boolean isList() {
    return !namespaces.isEmpty();
  }

  boolean isSelector() {
    return labelSelector != null;
  }

  @Override
  public String toString() {
    if (isList()) {
      return "namespaces " + String.join(",", namespaces);
    }
    return isSelector() ? "namespaces labelled " + labelSelector : "all namespaces";
  }

  static NamespaceScope of(List<String> namespaces, String labelSelector) {
    Objects.requireNonNull(namespaces, "namespaces");
    return new NamespaceScope(namespaces, labelSelector);
  }
}
