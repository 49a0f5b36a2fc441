package dev.meshguard.engine.authn;

/**
 * A token and where it came from. The token is {@code value[start, end of value)}: a header token
 * after a prefix is kept as the header value and an offset, so a token the cache knows costs no
 * copy.
 */
public record ExtractedToken(String value, int start, TokenLocation location) {

  /** A token that is the whole value. */
  public ExtractedToken(String token, TokenLocation location) {
    this(token, 0, location);
  }

  /** The token itself (a new string when it starts after a prefix). */
  public String token() {
    return start == 0 ? value : value.substring(start);
  }
}
