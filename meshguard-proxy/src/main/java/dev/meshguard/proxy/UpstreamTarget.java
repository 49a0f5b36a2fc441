package dev.meshguard.proxy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * The one upstream `serve` forwards to, from `--upstream URL`: scheme, host and port. The scheme
 * says the protocol: `http` (HTTP/1.1), `https` (HTTP/1.1 over TLS), `h2c` (HTTP/2 with prior
 * knowledge) or `h2` (HTTP/2 over TLS, ALPN `h2`). A path in the URL would silently change what the
 * policies saw, so only an empty path or `/` is accepted.
 */
public record UpstreamTarget(String scheme, String host, int port) {
  private static final java.util.Set<String> SCHEMES =
      java.util.Set.of("http", "https", "h2c", "h2");

  public UpstreamTarget {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(host, "host");
    if (!SCHEMES.contains(scheme)) {
      throw new IllegalArgumentException("scheme must be http, https, h2c or h2");
    }
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range");
    }
  }

  /** Parses `http://host[:port][/]` or `https://…`; messages name the offending input. */
  public static UpstreamTarget parse(String url) {
    Objects.requireNonNull(url, "url");
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("upstream `" + url + "` is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme == null || !SCHEMES.contains(scheme)) {
      throw new IllegalArgumentException(
          "upstream `" + url + "` must start with http://, https://, h2c:// or h2://");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("upstream `" + url + "` has no host");
    }
    if (uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || !(uri.getRawPath() == null
            || uri.getRawPath().isEmpty()
            || uri.getRawPath().equals("/"))) {
      throw new IllegalArgumentException(
          "upstream `" + url + "` must be scheme://host[:port] without path, query or user");
    }
    boolean tls = scheme.equals("https") || scheme.equals("h2");
    int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new UpstreamTarget(scheme, host, port);
  }

  public boolean tls() {
    return scheme.equals("https") || scheme.equals("h2");
  }

  /** The upstream speaks HTTP/2 (`h2c` or `h2`). */
  public boolean http2() {
    return scheme.equals("h2c") || scheme.equals("h2");
  }

  @Override
  public String toString() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return scheme + "://" + h + ":" + port;
  }
}
