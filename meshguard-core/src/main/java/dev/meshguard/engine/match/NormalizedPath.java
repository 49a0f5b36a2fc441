package dev.meshguard.engine.match;

/**
 * The request target after Envoy's connection-manager treatment: what authorization matches and
 * what is forwarded upstream.
 *
 * @param valid false when Envoy would answer the request itself (400 or 404) before any filter
 * @param path the normalised path, without query and fragment; null when invalid
 * @param query the raw query after the first {@code ?} (never modified), empty for a bare {@code
 *     ?}, null when there is none or the target is invalid
 * @param invalidReason why the target is rejected (lowercase, fixed text); null when valid
 * @param rejectStatus the HTTP status Envoy answers with (400 or 404); 0 when valid
 */
public record NormalizedPath(
    boolean valid, String path, String query, String invalidReason, int rejectStatus) {

  public NormalizedPath {
    if (valid) {
      if (path == null || invalidReason != null || rejectStatus != 0) {
        throw new IllegalArgumentException("a valid path has a path and no reason or status");
      }
    } else if (path != null || query != null || invalidReason == null || rejectStatus == 0) {
      throw new IllegalArgumentException("an invalid path has a reason and status, no path");
    }
  }

  /** The four-part form; an invalid path gets status 400. */
  public NormalizedPath(boolean valid, String path, String query, String invalidReason) {
    this(valid, path, query, invalidReason, valid ? 0 : 400);
  }

  static NormalizedPath accepted(String path, String query) {
    return new NormalizedPath(true, path, query, null, 0);
  }

  static NormalizedPath rejected(int status, String reason) {
    return new NormalizedPath(false, null, null, reason, status);
  }

  /**
   * The {@code :path} sent upstream: the normalised path plus the untouched query; null if invalid.
   */
  public String pathAndQuery() {
    if (!valid) {
      return null;
    }
    return query == null ? path : path + "?" + query;
  }
}
