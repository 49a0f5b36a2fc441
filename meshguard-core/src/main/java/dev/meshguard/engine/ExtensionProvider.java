package dev.meshguard.engine;

import java.util.Objects;

/**
 * One MeshConfig `extensionProviders` entry. Only the external authorizers matter to meshguard; the
 * others (tracing, access logging, metrics) are kept by name so a CUSTOM policy naming one can be
 * told apart from one naming nothing.
 *
 * @param kind the entry's provider key, e.g. `envoyExtAuthzHttp` or `zipkin`
 * @param extAuthz the authorizer's settings, or null when the entry is not an authorizer
 */
public record ExtensionProvider(String name, String kind, ExtAuthzProvider extAuthz) {
  public ExtensionProvider {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
  }

  public static ExtensionProvider of(ExtAuthzProvider authz) {
    return new ExtensionProvider(authz.name(), authz.protocol().meshConfigKey(), authz);
  }

  public boolean isExtAuthz() {
    return extAuthz != null;
  }
}
