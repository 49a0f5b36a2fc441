package dev.meshguard.proxy.custom;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.CustomAnswer;
import dev.meshguard.engine.CustomCheck;
import dev.meshguard.engine.ExtAuthzProvider;
import dev.meshguard.runtime.custom.CheckHeaders;
import dev.meshguard.runtime.custom.ProviderCall;
import dev.meshguard.runtime.custom.ProviderError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Envoy's HTTP ext_authz protocol (`http_service`), as istiod configures it for an
 * `envoyExtAuthzHttp` provider: the check request, and what the reply means.
 */
final class HttpCheckMessages {
  /** Headers Envoy always sends (its `:authority`, `:method`, `:path`, `authorization`). */
  private static final Set<String> ALWAYS_SENT =
      Set.of(":authority", ":method", ":path", "authorization");

  /** A 200's header naming request headers to remove before the upstream. */
  static final String HEADERS_TO_REMOVE = "x-envoy-auth-headers-to-remove";

  /** Headers of a denial Envoy always relays when `headersToDownstreamOnDeny` is set. */
  private static final List<String> ALWAYS_RELAYED_ON_DENY =
      List.of(":status", "content-length", "www-authenticate", "location");

  /** Headers that describe one hop's message, not the answer: never relayed. */
  private static final Set<String> FRAMING =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "upgrade",
          "te",
          "trailer",
          "content-length",
          ":status");

  private HttpCheckMessages() {}

  /**
   * The check call: the original method, `pathPrefix` + the path, `Host` the original host, the
   * headers Envoy allows (its defaults plus `includeRequestHeadersInCheck`), then
   * `includeAdditionalHeadersInCheck` (replacing), and `Content-Length` of the body sent.
   */
  static FullHttpRequest request(
      ExtAuthzProvider provider,
      CustomCheck check,
      CheckRequest request,
      ProviderCall.RequestBody body) {
    Map<String, String> headers = CheckHeaders.of(check, request);
    if (body != null) {
      headers.put(CheckHeaders.PARTIAL_BODY, Boolean.toString(body.partial()));
    }
    ByteBuf content = body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body.bytes());
    FullHttpRequest out =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.valueOf(request.method()),
            provider.pathPrefix() + check.path(),
            content);
    out.headers().set("host", headers.get(":authority"));
    for (Map.Entry<String, String> h : headers.entrySet()) {
      String name = h.getKey();
      if (name.startsWith(":") || name.equals("content-length")) {
        continue;
      }
      // Envoy adds its partial-body marker after choosing the headers to send: it always goes
      if (ALWAYS_SENT.contains(name)
          || name.equals(CheckHeaders.PARTIAL_BODY)
          || ExtAuthzProvider.matches(provider.includeRequestHeadersInCheck(), name)) {
        out.headers().add(name, h.getValue());
      }
    }
    for (Map.Entry<String, String> h : provider.includeAdditionalHeadersInCheck().entrySet()) {
      out.headers().set(h.getKey(), h.getValue());
    }
    out.headers().set("content-length", content.readableBytes());
    return out;
  }

  /**
   * The provider's answer: 200 allows (the headers `headersToUpstreamOnAllow` lets through go
   * upstream, those of `headersToDownstreamOnAllow` to the client, `x-envoy-auth-headers-to-remove`
   * names request headers to drop); a 5xx is an error; any other status denies with that status,
   * the body, and the headers `headersToDownstreamOnDeny` lets through (all but `Host` when it is
   * not set).
   */
  static CustomAnswer answer(ExtAuthzProvider provider, FullHttpResponse response) {
    int status = response.status().code();
    if (status >= 500) {
      throw new ProviderError("status", "the provider answered " + status);
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    List<String> remove = new ArrayList<>();
    for (Map.Entry<String, String> h : response.headers()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.equals(HEADERS_TO_REMOVE)) {
        if (status == 200) {
          for (String n : h.getValue().split(",")) {
            if (!n.isBlank()) {
              remove.add(n.strip().toLowerCase(Locale.ROOT));
            }
          }
        }
        continue;
      }
      headers.add(Map.entry(name, h.getValue()));
    }
    if (status == 200) {
      List<Map.Entry<String, String>> upstream = new ArrayList<>();
      List<Map.Entry<String, String>> client = new ArrayList<>();
      for (Map.Entry<String, String> h : headers) {
        if (ExtAuthzProvider.matches(provider.headersToUpstreamOnAllow(), h.getKey())
            && !FRAMING.contains(h.getKey())) {
          upstream.add(h);
        }
        if (ExtAuthzProvider.matches(provider.headersToDownstreamOnAllow(), h.getKey())
            && !FRAMING.contains(h.getKey())) {
          client.add(h);
        }
      }
      return new CustomAnswer(
          true, 200, "", client, upstream, List.of(), remove, "the provider answered 200");
    }
    List<Map.Entry<String, String>> relayed = new ArrayList<>();
    for (Map.Entry<String, String> h : headers) {
      String name = h.getKey();
      boolean allowed =
          provider.headersToDownstreamOnDeny().isEmpty()
              ? !name.equals("host")
              : ALWAYS_RELAYED_ON_DENY.contains(name)
                  || ExtAuthzProvider.matches(provider.headersToDownstreamOnDeny(), name);
      if (allowed && !FRAMING.contains(name)) {
        relayed.add(h);
      }
    }
    String body = response.content().toString(StandardCharsets.UTF_8);
    return CustomAnswer.deny(status, body, relayed, "the provider answered " + status);
  }
}
