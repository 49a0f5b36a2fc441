package dev.meshguard.engine.match;

import static java.util.Objects.requireNonNull;

import dev.meshguard.engine.PathNormalization;
import java.util.Locale;

/**
 * What Envoy, configured by Istio, does to a request target before any filter sees it: the HTTP
 * codec's request-target checks, the connection manager's path checks, fragment stripping, and the
 * normalisation Istio's {@code meshConfig.pathNormalization} turns on. The result is both what
 * authorization matches and what is forwarded upstream.
 *
 * <p>Order, as in Envoy's {@code ConnectionManagerUtility::maybeNormalizePath}: fragment removed
 * (Istio sets {@code http_reject_path_with_fragment=false}); for DECODE_AND_MERGE_SLASHES {@code
 * %2F %2f %5C %5c} decoded ({@code path_with_escaped_slashes_action: UNESCAPE_AND_FORWARD}); for
 * every mode but NONE the path is canonicalised ({@code normalize_path}, which first strips
 * parameters from dot segments, {@code /..;x} → {@code /..}); for the MERGE modes slashes are
 * merged last. The query is never touched.
 *
 * <p>Request targets that Envoy does not route:
 *
 * <ul>
 *   <li>{@code *} (asterisk-form): the HTTP/1 codec lets it through only for OPTIONS, and the
 *       connection manager then answers 404 ({@code absolute_path}) because the path does not start
 *       with {@code /}. Other methods get 400 from the codec. Either way no filter runs; we report
 *       404.
 *   <li>anything else not starting with {@code /} and not absolute-form ({@code a/b}, {@code
 *       \admin}): the codec tries to parse it as an absolute URL ({@code allow_absolute_url}
 *       defaults to true), fails, and answers 400. (Over HTTP/2 the codec resets the stream.)
 *       Envoy's own canonicaliser would turn {@code a/b} into {@code /a/b}, but no request gets
 *       there; {@link #canonicalPath} keeps that behaviour for the primitive.
 *   <li>absolute-form {@code scheme://authority/path}: the scheme may be in any letter case but
 *       must be http or https (else 400); the path part is used, {@code /} when empty. A target
 *       like {@code http://host?x} leaves {@code ?x} as the path, which the connection manager
 *       answers with 404.
 *   <li>empty targets, and targets with raw control characters or spaces: 400 from the codec.
 * </ul>
 *
 * <p>With NONE Envoy does not canonicalise, so {@code %00} is not rejected there and the path is
 * forwarded as received (minus the fragment).
 *
 * <p>Input characters above U+007F are treated as Unicode text and, when canonicalised, written as
 * percent-encoded UTF-8. A caller holding raw bytes decoded as ISO-8859-1 (Netty's HTTP/1 request
 * line) must re-decode them as UTF-8 first.
 */
public final class PathNormalizer {

  static final String EMPTY_TARGET = "empty request target";
  static final String CONTROL_CHARACTER = "request target contains a space or control character";
  static final String ASTERISK_FORM = "asterisk-form request target `*` is not routed";
  static final String NOT_ORIGIN_FORM =
      "request target is neither a path starting with `/` nor an absolute http(s) url";
  static final String BAD_SCHEME = "absolute-form request target with a scheme other than http(s)";
  static final String NO_HOST = "absolute-form request target without a host";
  static final String NOT_RELATIVE =
      "absolute-form request target with a path not starting with `/`";
  static final String NORMALIZATION_FAILED =
      "path normalization failed: encoded nul (`%00`) or invalid unicode in the path";

  private PathNormalizer() {}

  /**
   * Normalises a raw request target the way current Envoy does, including the 2026 fix that strips
   * parameters from dot segments ({@code /..;x/} is {@code /../}).
   */
  public static NormalizedPath normalize(String rawRequestTarget, PathNormalization mode) {
    return normalize(rawRequestTarget, mode, true);
  }

  /**
   * As {@link #normalize(String, PathNormalization)}; {@code stripDotSegmentParameters=false}
   * reproduces Envoy before CVE-2026-73551 (runtime flag {@code
   * envoy.reloadable_features.strip_dotdot_segments_with_parameters=false}), where {@code /..;/} is
   * an ordinary segment.
   */
  public static NormalizedPath normalize(
      String rawRequestTarget, PathNormalization mode, boolean stripDotSegmentParameters) {
    requireNonNull(mode, "mode");
    if (rawRequestTarget == null || rawRequestTarget.isEmpty()) {
      return NormalizedPath.rejected(400, EMPTY_TARGET);
    }
    for (int i = 0; i < rawRequestTarget.length(); i++) {
      char c = rawRequestTarget.charAt(i);
      if (c <= 0x20 || c == 0x7f) {
        return NormalizedPath.rejected(400, CONTROL_CHARACTER);
      }
    }
    String target = rawRequestTarget;
    if (target.charAt(0) != '/') {
      if (target.equals("*")) {
        return NormalizedPath.rejected(404, ASTERISK_FORM);
      }
      int schemeEnd = schemeLength(target);
      if (schemeEnd == 0 || !target.startsWith("://", schemeEnd)) {
        return NormalizedPath.rejected(400, NOT_ORIGIN_FORM);
      }
      String scheme = target.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        return NormalizedPath.rejected(400, BAD_SCHEME);
      }
      int authorityStart = schemeEnd + 3;
      int authorityEnd = indexOfAny(target, authorityStart, "/?#");
      if (authorityEnd == authorityStart) {
        return NormalizedPath.rejected(400, NO_HOST);
      }
      target = authorityEnd == target.length() ? "/" : target.substring(authorityEnd);
      if (target.charAt(0) != '/') {
        return NormalizedPath.rejected(404, NOT_RELATIVE);
      }
    }

    int fragment = target.indexOf('#');
    if (fragment >= 0) {
      target = target.substring(0, fragment);
    }
    int queryStart = target.indexOf('?');
    String path = queryStart < 0 ? target : target.substring(0, queryStart);
    String query = queryStart < 0 ? null : target.substring(queryStart + 1);

    if (mode == PathNormalization.NONE) {
      return NormalizedPath.accepted(path, query);
    }
    if (mode == PathNormalization.DECODE_AND_MERGE_SLASHES) {
      path = unescapeSlashes(path);
    }
    if (stripDotSegmentParameters) {
      path = stripDotSegmentParameters(path);
    }
    String canonical = UrlPathCanonicalizer.canonicalize(path);
    if (canonical == null) {
      return NormalizedPath.rejected(400, NORMALIZATION_FAILED);
    }
    if (mode != PathNormalization.BASE) {
      canonical = mergeSlashes(canonical);
    }
    return NormalizedPath.accepted(canonical, query);
  }

  /**
   * Envoy's {@code normalize_path} canonicalisation alone (without the dot-segment parameter step),
   * on a path without query: dot segments resolved, {@code \} → {@code /}, unreserved escapes
   * decoded, a leading {@code /} added. Null when the path is rejected ({@code %00}).
   */
  public static String canonicalPath(String pathWithoutQuery) {
    return UrlPathCanonicalizer.canonicalize(requireNonNull(pathWithoutQuery, "pathWithoutQuery"));
  }

  /**
   * Envoy's {@code merge_slashes} on a path without query: runs of {@code /} become one, a leading
   * and a trailing slash are kept. Quirk kept from Envoy: a path made only of slashes ({@code //},
   * {@code ///}) becomes {@code //}.
   */
  public static String mergeSlashes(String pathWithoutQuery) {
    String path = requireNonNull(pathWithoutQuery, "pathWithoutQuery");
    if (!path.contains("//")) {
      return path;
    }
    StringBuilder out = new StringBuilder(path.length());
    if (path.startsWith("/")) {
      out.append('/');
    }
    boolean first = true;
    int start = 0;
    while (start <= path.length()) {
      int slash = path.indexOf('/', start);
      int segmentEnd = slash < 0 ? path.length() : slash;
      if (segmentEnd > start) {
        if (!first) {
          out.append('/');
        }
        out.append(path, start, segmentEnd);
        first = false;
      }
      if (slash < 0) {
        break;
      }
      start = slash + 1;
    }
    if (path.endsWith("/")) {
      out.append('/');
    }
    return out.toString();
  }

  /**
   * Envoy's {@code PathUtil::unescapeSlashes} on a path without query: {@code %2F %2f} → {@code /},
   * {@code %5C %5c} → {@code \}, left to right, without rescanning what it produced ({@code %%2f} →
   * {@code %/}, {@code %252f} unchanged).
   */
  public static String unescapeSlashes(String pathWithoutQuery) {
    String path = requireNonNull(pathWithoutQuery, "pathWithoutQuery");
    if (path.indexOf('%') < 0) {
      return path;
    }
    StringBuilder out = new StringBuilder(path.length());
    int i = 0;
    while (i < path.length()) {
      char c = path.charAt(i);
      if (c == '%' && i + 2 < path.length()) {
        char high = path.charAt(i + 1);
        char low = path.charAt(i + 2);
        if (high == '2' && (low == 'F' || low == 'f')) {
          out.append('/');
          i += 3;
          continue;
        }
        if (high == '5' && (low == 'C' || low == 'c')) {
          out.append('\\');
          i += 3;
          continue;
        }
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  /**
   * Envoy's {@code PathUtil::stripParametersFromDotSegments} (CVE-2026-73551) on a path without
   * query: a {@code /}-separated segment starting with {@code ..;} becomes {@code ..}, one starting
   * with {@code .;} becomes {@code .}. Only literal dots count ({@code %2e%2e;} is left alone), and
   * {@code \} does not separate segments here.
   */
  public static String stripDotSegmentParameters(String pathWithoutQuery) {
    String path = requireNonNull(pathWithoutQuery, "pathWithoutQuery");
    if (!path.contains(".;")) {
      return path;
    }
    StringBuilder out = new StringBuilder(path.length());
    int start = 0;
    while (true) {
      int slash = path.indexOf('/', start);
      int segmentEnd = slash < 0 ? path.length() : slash;
      if (path.startsWith("..;", start) && start + 3 <= segmentEnd) {
        out.append("..");
      } else if (path.startsWith(".;", start) && start + 2 <= segmentEnd) {
        out.append('.');
      } else {
        out.append(path, start, segmentEnd);
      }
      if (slash < 0) {
        return out.toString();
      }
      out.append('/');
      start = slash + 1;
    }
  }

  /** Length of a leading run of ASCII letters (http_parser accepts only letters in a scheme). */
  private static int schemeLength(String target) {
    int i = 0;
    while (i < target.length() && isAsciiLetter(target.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static int indexOfAny(String s, int from, String chars) {
    for (int i = from; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return s.length();
  }
}
