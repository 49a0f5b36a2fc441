package dev.meshguard.policy;

import java.util.Objects;

/**
 * One configuration object that does not come from a file (an object of the Kubernetes API), as
 * JSON text.
 *
 * @param name how findings name it, in place of a file (`k8s:AuthorizationPolicy/foo/deny`)
 * @param json the object: `apiVersion`, `kind`, `metadata`, `spec`
 */
public record SourceDocument(String name, String json) {
  public SourceDocument {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(json, "json");
  }
}
