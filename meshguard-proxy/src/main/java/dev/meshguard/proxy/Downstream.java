package dev.meshguard.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponse;

/**
 * The client side of one {@link Exchange}: an HTTP/1.1 connection (which carries its requests one
 * after another) or one HTTP/2 stream. The exchange writes its response to {@link #ctx()} as {@code
 * HttpObject}s; what differs between the protocols — response framing, what a close means, when the
 * next request may start — is answered here.
 */
interface Downstream {

  /** Where the response is written: the connection (HTTP/1.1) or the stream's channel (HTTP/2). */
  ChannelHandlerContext ctx();

  /** The client connection, read once per connection. */
  ConnectionInfo connection();

  /** The request arrived over HTTP/2: trailers are carried, framing is the codec's. */
  boolean http2();

  /**
   * Makes {@code response} fit for this client (hop-by-hop headers, length or chunking) and says
   * whether the upstream connection and the client side can be kept.
   *
   * @param requestComplete the whole request body was read
   */
  ResponseFraming frame(HttpResponse response, boolean head, boolean requestComplete);

  /** A local reply must end the client side afterwards (HTTP/1.1: the connection closes). */
  boolean closesAfterReply(boolean requestComplete);

  /** No further request is to be read on this client side after the current one. */
  void closeAfterExchange();

  /** Something changed that decides whether the client socket should be read. */
  void readinessChanged();

  /** The exchange has sent its whole response (or given up); the next one may start. */
  void exchangeDone(Exchange exchange);

  /**
   * The upstream switched protocols (WebSocket) and the 101 was written: from now on the client
   * connection and {@code upstream} are one byte tunnel. False when this side cannot do that (an
   * HTTP/2 stream), and nothing changed.
   */
  boolean tunnel(Channel upstream);
}
