package dev.meshguard.proxy;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.ForwardedFor;
import dev.meshguard.engine.RequestHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns a check call of the HTTP ext_authz protocol into the request it stands for.
 *
 * <ul>
 *   <li>{@link Dialect#ENVOY}, Envoy's `http_service`: the original method, the path with the path
 *       prefix in front, and the original headers (Host included).
 *   <li>{@link Dialect#NGINX}, nginx `auth_request`: the path from `X-Original-URI`, the method
 *       from `X-Original-Method` (else the subrequest's own), the host from `Host`.
 *   <li>{@link Dialect#TRAEFIK}, Traefik `forwardAuth`: method, path, host and scheme from
 *       `X-Forwarded-Method`, `-Uri`, `-Host` and `-Proto`.
 * </ul>
 *
 * The forward-auth headers are trusted only when their dialect is enabled: otherwise anyone could
 * name the path the decision is made for. The path they carry is the raw request target, so the
 * engine normalises it exactly as it normalises a proxied path.
 */
public final class HttpAuthorizationRequests {
  /** How the original request is described. */
  public enum Dialect {
    ENVOY,
    NGINX,
    TRAEFIK
  }

  private static final Set<String> NGINX_HEADERS = Set.of("x-original-uri", "x-original-method");
  private static final Set<String> TRAEFIK_HEADERS =
      Set.of("x-forwarded-method", "x-forwarded-uri", "x-forwarded-host");

  private final Dialect dialect;
  private final String pathPrefix;
  private final int numTrustedProxies;

  /**
   * @param pathPrefix `--path-prefix`, prepended by Envoy (`http_service.path_prefix`); "" for none
   */
  public HttpAuthorizationRequests(Dialect dialect, String pathPrefix, int numTrustedProxies) {
    this.dialect = Objects.requireNonNull(dialect, "dialect");
    this.pathPrefix = Objects.requireNonNull(pathPrefix, "pathPrefix");
    this.numTrustedProxies = numTrustedProxies;
  }

  public Dialect dialect() {
    return dialect;
  }

  /**
   * @param peerIp the proxy that asks (`source.ip`); the client comes from `x-forwarded-for`
   * @throws BadRequestException when the call does not describe a request
   */
  CheckRequest toCheckRequest(HttpRequest call, String peerIp) throws BadRequestException {
    HttpHeaders in = call.headers();
    String method;
    String path;
    String host = in.get("host");
    String scheme = "http";
    Set<String> consumed = Set.of();
    switch (dialect) {
      case NGINX -> {
        path = required(in, "x-original-uri");
        method = in.get("x-original-method", call.method().name());
        consumed = NGINX_HEADERS;
      }
      case TRAEFIK -> {
        path = required(in, "x-forwarded-uri");
        method = required(in, "x-forwarded-method");
        host = in.get("x-forwarded-host", host);
        scheme = in.get("x-forwarded-proto", "http").toLowerCase(Locale.ROOT);
        consumed = TRAEFIK_HEADERS;
      }
      default -> {
        method = call.method().name();
        if (!call.uri().startsWith(pathPrefix)) {
          throw new BadRequestException("path does not start with the path prefix");
        }
        path = call.uri().substring(pathPrefix.length());
      }
    }
    if (!path.startsWith("/")) {
      throw new BadRequestException("request path must start with `/`");
    }
    for (int i = 0; i < method.length(); i++) {
      char c = method.charAt(i);
      if (c < 'A' || c > 'Z') {
        // Istio rejects methods not in upper case; otherwise `get` could slip past a GET rule
        throw new BadRequestException("method `" + method + "` is not upper-case letters");
      }
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>(in.size());
    for (Map.Entry<String, String> h : in) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.equals("host")
          || name.equals("content-length")
          || name.equals("connection")
          || consumed.contains(name)) {
        continue;
      }
      headers.add(Map.entry(name, h.getValue()));
    }
    RequestHeaders requestHeaders = RequestHeaders.of(headers);
    String remoteIp =
        ForwardedFor.clientAddress(
            peerIp, requestHeaders.all("x-forwarded-for"), numTrustedProxies);
    return new CheckRequest(
        method, scheme, host, path, requestHeaders, peerIp, remoteIp, null, null, 0, null);
  }

  private static String required(HttpHeaders in, String name) throws BadRequestException {
    List<String> values = in.getAll(name);
    if (values.size() != 1 || values.get(0).isEmpty()) {
      throw new BadRequestException("expected exactly one `" + name + "` header");
    }
    return values.get(0);
  }
}
