package dev.meshguard.jwks;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshguard.jwt.JwkSet;
import dev.meshguard.jwt.JwtException;
import java.io.IOException;
import java.time.Duration;

/**
 * Downloads and checks what a remote source needs: a key set, or an OpenID discovery document's
 * `jwks_uri`. Everything that is not exactly right is a failure; nothing is ever made up in its
 * place.
 */
final class KeySetDownloader {
  private static final ObjectMapper DISCOVERY_JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
              .build());

  private final HttpFetcher http;
  private final RemoteJwksOptions options;

  KeySetDownloader(HttpFetcher http, RemoteJwksOptions options) {
    this.http = requireNonNull(http, "http");
    this.options = requireNonNull(options, "options");
  }

  /** The key set at {@code route}, parsed with Envoy's rules. */
  JwkSet keys(Route route, Duration timeout) throws FetchException {
    byte[] body = body(route, timeout);
    JwkSet keys;
    try {
      keys = JwkSet.parse(new String(body, UTF_8));
    } catch (JwtException e) {
      throw new FetchException("invalid jwks: " + e.status().message());
    } catch (RuntimeException e) {
      throw new FetchException("invalid jwks: " + e.getClass().getSimpleName());
    }
    if (keys.size() == 0) {
      throw new FetchException("jwks has no usable key");
    }
    if (keys.size() > options.maxKeys()) {
      throw new FetchException(
          "jwks has " + keys.size() + " keys, more than the limit of " + options.maxKeys());
    }
    return keys;
  }

  /** The `jwks_uri` of the OpenID discovery document at {@code route}. */
  String discoveredJwksUri(Route route, Duration timeout) throws FetchException {
    byte[] body = body(route, timeout);
    JsonNode document;
    try {
      document = DISCOVERY_JSON.readTree(body);
    } catch (IOException | RuntimeException e) {
      // Parser messages quote the input: say only that it is not JSON.
      throw new FetchException("openid configuration is not valid json");
    }
    JsonNode uri = document == null ? null : document.get("jwks_uri");
    if (uri == null || !uri.isTextual() || uri.asText().isBlank()) {
      throw new FetchException("openid configuration has no string `jwks_uri`");
    }
    return uri.asText();
  }

  private byte[] body(Route route, Duration timeout) throws FetchException {
    HttpFetcher.Response response = http.get(route, timeout, options.maxBodyBytes());
    if (response.status() < 200 || response.status() > 299) {
      String note =
          response.status() >= 300 && response.status() < 400
              ? " (redirects are not followed)"
              : "";
      throw new FetchException("http status " + response.status() + note);
    }
    if (response.body().length == 0) {
      throw new FetchException("empty response body");
    }
    return response.body();
  }
}
