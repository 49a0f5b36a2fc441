package dev.meshguard.proxy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * The one upstream `serve` forwards to, from `--upstream URL`: scheme, host and port. A path in the
 * URL would silently change what the policies saw, so only an empty path or `/` is accepted.
 */
public record UpstreamTarget(String scheme, String host, int port) {

  public UpstreamTarget {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(host, "host");
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("scheme must be http or https");
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
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
      throw new IllegalArgumentException(
          "upstream `" + url + "` must start with http:// or https://");
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
    int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new UpstreamTarget(scheme, host, port);
  }

  public boolean tls() {
    return scheme.equals("https");
  }

  @Override
  public String toString() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return scheme + "://" + h + ":" + port;
  }
}
