package dev.meshguard.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Responses the proxy writes itself, shaped like Envoy's local replies: `text/plain`, sized. */
final class LocalReplies {
  private LocalReplies() {}

  static FullHttpResponse reply(
      ByteBufAllocator alloc,
      int status,
      String body,
      List<Map.Entry<String, String>> extraHeaders,
      boolean close,
      boolean headRequest) {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    ByteBuf content = headRequest ? alloc.buffer(0) : alloc.buffer(bytes.length).writeBytes(bytes);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    if (bytes.length > 0) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
    }
    for (Map.Entry<String, String> h : extraHeaders) {
      if (HttpHeaderNames.CONTENT_TYPE.contentEqualsIgnoreCase(h.getKey())) {
        // an ext_authz provider's denial names its own body's type (Envoy: setCopy)
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, h.getValue());
      } else {
        response.headers().add(h.getKey(), h.getValue());
      }
    }
    if (close) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }

  /**
   * A local reply to a gRPC request, as Envoy's `sendLocalReply` writes it: HTTP 200 with no body
   * (over HTTP/2 a trailers-only response: one HEADERS frame that ends the stream), `grpc-status`
   * from the HTTP status, the body text as `grpc-message`.
   */
  static FullHttpResponse grpc(
      ByteBufAllocator alloc,
      int status,
      String body,
      List<Map.Entry<String, String>> extraHeaders,
      boolean close) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, alloc.buffer(0));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, Grpc.CONTENT_TYPE);
    response.headers().set("grpc-status", Integer.toString(Grpc.statusOf(status)));
    if (body != null && !body.isEmpty()) {
      response.headers().set("grpc-message", Grpc.percentEncode(body));
    }
    for (Map.Entry<String, String> h : extraHeaders) {
      response.headers().add(h.getKey(), h.getValue());
    }
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
    if (close) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }
}
