package dev.meshguard.engine.authn;

/** Where a token was found, so that a verified header token can be removed before forwarding. */
public record TokenLocation(Kind kind, String name) {
  /** The three places Envoy extracts tokens from. */
  public enum Kind {
    HEADER,
    QUERY_PARAMETER,
    COOKIE
  }

  @Override
  public String toString() {
    return switch (kind) {
      case HEADER -> "header `" + name + "`";
      case QUERY_PARAMETER -> "query parameter `" + name + "`";
      case COOKIE -> "cookie `" + name + "`";
    };
  }
}
