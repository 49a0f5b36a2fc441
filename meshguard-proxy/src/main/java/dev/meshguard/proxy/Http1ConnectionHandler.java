package dev.meshguard.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * One HTTP/1.1 client connection. Requests are handled one at a time in arrival order (pipelined
 * requests wait in {@link #pending}); each is an {@link Exchange}. Everything runs on the
 * connection's event loop, the decision included.
 *
 * <p>Backpressure: the client socket is read only while a request body is being forwarded and the
 * upstream socket can take more; the upstream socket is read only while the client socket can take
 * more. Nothing buffers a whole body.
 */
@SuppressWarnings("FutureReturnValueIgnored") // failures surface as exceptionCaught/channelInactive
final class Http1ConnectionHandler extends ChannelInboundHandlerAdapter implements Downstream {

  /** Decoded messages queued behind the current exchange before reading pauses. */
  private static final int MAX_PIPELINED = 16;

  private final ProxyRuntime rt;
  private final ArrayDeque<HttpObject> pending = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private ConnectionInfo conn;
  private Exchange exchange;
  private boolean clientKeepAlive;
  private boolean clientHttp11;
  private boolean closeAfterExchange;
  private boolean upgradeSettled;
  private boolean closed;
  private boolean draining;
  private boolean drainAgain;
  private boolean bodyExpected;

  Http1ConnectionHandler(ProxyRuntime rt) {
    this.rt = rt;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  // ---- Downstream

  @Override
  public ChannelHandlerContext ctx() {
    return ctx;
  }

  @Override
  public ConnectionInfo connection() {
    if (conn == null) {
      conn = ConnectionInfo.of(ctx.channel());
    }
    return conn;
  }

  @Override
  public boolean http2() {
    return false;
  }

  @Override
  public ResponseFraming frame(HttpResponse response, boolean head, boolean requestComplete) {
    boolean closeWanted = closeAfterExchange || !clientKeepAlive || rt.draining || !requestComplete;
    return ResponseFraming.apply(response, head, clientHttp11, closeWanted);
  }

  @Override
  public boolean closesAfterReply(boolean requestComplete) {
    // the rest of an unread request body would be taken for the next request: close instead
    return closeAfterExchange || !requestComplete || !clientKeepAlive || rt.draining;
  }

  @Override
  public void closeAfterExchange() {
    closeAfterExchange = true;
  }

  @Override
  public void readinessChanged() {
    updateAutoRead();
  }

  @Override
  public boolean tunnel(Channel upstream) {
    exchange = null;
    closed = true;
    HttpObject m;
    while ((m = pending.poll()) != null) {
      // bytes the client sent before the 101 are not HTTP requests of this connection
      ReferenceCountUtil.release(m);
    }
    ChannelPipeline up = upstream.pipeline();
    up.remove(UpstreamHandler.class);
    removeIfPresent(up, IdleTimeout.class);
    TunnelRelay.connect(ctx.channel(), upstream);
    // the codecs go last: what they still hold is passed on to the relays
    ChannelPipeline p = ctx.pipeline();
    removeIfPresent(p, IdleTimeout.class);
    p.remove(this);
    removeIfPresent(p, HttpServerCodec.class);
    removeIfPresent(up, HttpClientCodec.class);
    return true;
  }

  private static void removeIfPresent(ChannelPipeline p, Class<? extends ChannelHandler> type) {
    ChannelHandler h = p.get(type);
    if (h != null) {
      p.remove(h);
    }
  }

  @Override
  public void exchangeDone(Exchange ex) {
    if (exchange != ex) {
      return;
    }
    exchange = null;
    if (closeAfterExchange || rt.draining) {
      closeAfterExchange = true;
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    drain();
  }

  // ---- the connection

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpObject obj) || closed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    pending.add(obj);
    drain();
  }

  /** Feeds queued messages to the current exchange, starting the next one when it is done. */
  private void drain() {
    if (draining) {
      drainAgain = true;
      return;
    }
    draining = true;
    try {
      do {
        drainAgain = false;
        while (!closed) {
          HttpObject m = pending.peek();
          if (m == null) {
            break;
          }
          if (exchange == null) {
            pending.poll();
            if (m instanceof HttpRequest req && !closeAfterExchange) {
              startExchange(req);
            } else {
              ReferenceCountUtil.release(m);
            }
          } else if (m instanceof HttpContent content && !exchange.requestComplete()) {
            pending.poll();
            exchange.onRequestContent(content);
          } else {
            break;
          }
        }
      } while (drainAgain && !closed);
    } finally {
      draining = false;
    }
    updateAutoRead();
  }

  private void startExchange(HttpRequest request) {
    if (!upgradeSettled) {
      // the first request did not switch to h2c: no other will, and the switch handler would
      // look at every request of the connection
      upgradeSettled = true;
      HttpServerUpgradeHandler upgrade = ctx.pipeline().get(HttpServerUpgradeHandler.class);
      if (upgrade != null) {
        ctx.pipeline().remove(upgrade);
      }
    }
    clientKeepAlive = HttpUtil.isKeepAlive(request);
    clientHttp11 = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
    bodyExpected = bodyMayFollow(request);
    Exchange ex = new Exchange(rt, this, request);
    exchange = ex;
    ex.start();
  }

  /** False only when the request certainly has no body (anything unusual counts as a body). */
  private static boolean bodyMayFollow(HttpRequest request) {
    if (request.decoderResult().isFailure()
        || request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return true;
    }
    String length = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    return length != null && !"0".equals(length);
  }

  private void updateAutoRead() {
    if (closed) {
      return;
    }
    boolean want;
    if (exchange == null) {
      want = !closeAfterExchange;
    } else if (exchange.requestComplete()) {
      // only a pipelined request can follow: keep reading (no interest-op churn per request)
      // while the queue of those stays small
      want = !closeAfterExchange && pending.size() < MAX_PIPELINED;
    } else if (!bodyExpected) {
      // the decoder's empty end of the request is already on its way in this read: pausing for
      // it would cost two epoll calls per request
      want = !closeAfterExchange;
    } else {
      // a body: read it only as fast as the upstream takes it, never before it is allowed
      want = exchange.wantsRequestBody();
    }
    ctx.channel().config().setAutoRead(want);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.flushUpstream();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.clientWritabilityChanged(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    HttpObject m;
    while ((m = pending.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
    if (exchange != null) {
      exchange.onClientClosed();
      exchange = null;
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // connection resets and TLS failures: nothing to answer on this connection any more
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
    }
    ReferenceCountUtil.release(evt);
  }

  /** Shutdown: close now if idle, otherwise after the current response. Runs on the loop. */
  void drainConnection() {
    closeAfterExchange = true;
    if (exchange == null) {
      ctx.close();
    }
  }
}
