package dev.meshguard.proxy;

import dev.meshguard.engine.Decision;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@link Decision} into the answer of the HTTP ext_authz protocol: 200 allows, with the
 * headers for the upstream (claim and payload outputs) as response headers; anything else denies,
 * and carries the status, body and headers (`www-authenticate`) the client gets, as Envoy relays
 * them. Envoy removes the headers named in `x-envoy-auth-headers-to-remove` (the token headers the
 * engine drops); nginx and Traefik cannot remove headers. An allowing CUSTOM provider's headers for
 * the client ride on the 200 too.
 */
final class HttpAuthorizationResponses {
  static final String HEADERS_TO_REMOVE = "x-envoy-auth-headers-to-remove";

  private HttpAuthorizationResponses() {}

  static FullHttpResponse of(Decision decision, boolean envoy) {
    if (!decision.allowed()) {
      FullHttpResponse response =
          response(decision.status(), decision.body() == null ? "" : decision.body());
      for (Map.Entry<String, String> h : decision.responseHeaders()) {
        response.headers().set(h.getKey(), h.getValue());
      }
      return response;
    }
    FullHttpResponse response = response(200, "");
    // an allowing CUSTOM provider's headers for the client, as the gRPC server's
    // `response_headers_to_add`: the front proxy's `allowed_client_headers_on_success` (Istio:
    // `headersToDownstreamOnAllow`) lets them through to the client
    for (Map.Entry<String, String> h : decision.responseHeaders()) {
      response.headers().add(h.getKey(), h.getValue());
    }
    Decision.UpstreamRewrite upstream = decision.upstream();
    if (upstream == null) {
      return response;
    }
    Set<String> set = new LinkedHashSet<>();
    for (Map.Entry<String, String> h : upstream.addHeaders()) {
      set.add(h.getKey());
      response.headers().add(h.getKey(), h.getValue());
    }
    if (envoy) {
      List<String> remove = new ArrayList<>();
      for (String name : upstream.removeHeaders()) {
        if (!set.contains(name)) {
          remove.add(name);
        }
      }
      if (!remove.isEmpty()) {
        response.headers().set(HEADERS_TO_REMOVE, String.join(",", remove));
      }
    }
    return response;
  }

  static FullHttpResponse badRequest(String why) {
    return response(400, "bad request: " + why);
  }

  static FullHttpResponse internalError() {
    return response(403, dev.meshguard.engine.Engine.RBAC_DENIED_BODY);
  }

  private static FullHttpResponse response(int status, String body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    if (!body.isEmpty()) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    }
    return response;
  }
}
