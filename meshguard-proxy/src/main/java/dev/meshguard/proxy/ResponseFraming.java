package dev.meshguard.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * An upstream response made fit for the client connection: hop-by-hop headers removed, HTTP/1.1,
 * chunked when the length is unknown (or a close for an HTTP/1.0 client), and whether either
 * connection can be kept.
 *
 * @param upstreamKeepAlive the upstream connection can go back to the pool afterwards
 * @param closeClient the client connection closes after this response
 */
record ResponseFraming(boolean upstreamKeepAlive, boolean closeClient) {

  /**
   * Rewrites {@code response} in place.
   *
   * @param head the request was HEAD: no body follows whatever the headers say
   * @param clientHttp11 the client spoke HTTP/1.1 (else 1.0)
   * @param closeWanted the client connection closes anyway (draining, `Connection: close`...)
   */
  static ResponseFraming apply(
      HttpResponse response, boolean head, boolean clientHttp11, boolean closeWanted) {
    int code = response.status().code();
    HttpHeaders headers = response.headers();
    boolean chunked = HttpUtil.isTransferEncodingChunked(response);
    boolean hasLength = HttpUtil.isContentLengthSet(response);
    boolean bodyless = head || code == 204 || code == 304;
    boolean upstreamKeepAlive =
        HttpUtil.isKeepAlive(response) && (chunked || hasLength || bodyless);
    HopByHopHeaders.remove(headers);
    boolean close = closeWanted;
    if (!bodyless && !hasLength) {
      if (clientHttp11) {
        HttpUtil.setTransferEncodingChunked(response, true);
      } else {
        close = true; // an HTTP/1.0 client reads the body until the connection closes
      }
    }
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    if (close) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (!clientHttp11) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return new ResponseFraming(upstreamKeepAlive, close);
  }

  /**
   * Rewrites {@code response} in place for an HTTP/2 client: hop-by-hop headers removed; the codec
   * frames the body with DATA frames and ends the stream, so the client stream is never "closed".
   */
  static ResponseFraming applyHttp2(HttpResponse response, boolean head) {
    int code = response.status().code();
    boolean bodyless = head || code == 204 || code == 304;
    boolean upstreamKeepAlive =
        HttpUtil.isKeepAlive(response)
            && (HttpUtil.isTransferEncodingChunked(response)
                || HttpUtil.isContentLengthSet(response)
                || bodyless);
    HopByHopHeaders.remove(response.headers());
    return upstreamKeepAlive ? HTTP2_KEEP : HTTP2_CLOSE_UPSTREAM;
  }

  private static final ResponseFraming HTTP2_KEEP = new ResponseFraming(true, false);
  private static final ResponseFraming HTTP2_CLOSE_UPSTREAM = new ResponseFraming(false, false);
}
