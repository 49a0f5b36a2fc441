package dev.meshguard.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;

/** What an HTTP/2 request carries after its conversion to an HTTP/1.1-shaped message. */
final class Http2Requests {
  private static final ExtensionHeaderNames[] EXTENSIONS = ExtensionHeaderNames.values();

  private Http2Requests() {}

  /** `:path` as HTTP/2 allows it (RFC 9113 8.3.1): starts with `/`, or is `*` for OPTIONS. */
  static boolean isOriginForm(HttpRequest request) {
    String uri = request.uri();
    if (uri.isEmpty()) {
      return false;
    }
    return uri.charAt(0) == '/' || uri.equals("*") && request.method().equals(HttpMethod.OPTIONS);
  }

  /**
   * Removes Netty's conversion headers (`x-http2-stream-id`, `x-http2-scheme`...): they describe
   * the client's stream, not the request, and must neither reach the engine nor the upstream.
   */
  static void removeExtensionHeaders(HttpHeaders headers) {
    for (ExtensionHeaderNames name : EXTENSIONS) {
      headers.remove(name.text());
    }
  }
}
