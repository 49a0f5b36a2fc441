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
}
