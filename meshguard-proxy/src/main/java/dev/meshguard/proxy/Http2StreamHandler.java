package dev.meshguard.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.util.ReferenceCountUtil;

/**
 * One HTTP/2 stream of a client connection, after {@code Http2StreamFrameToHttpObjectCodec} turned
 * its frames into {@code HttpObject}s: exactly one {@link Exchange}. Flow control is the stream
 * channel's: while it is not read, no WINDOW_UPDATE goes out and the client stops sending.
 */
@SuppressWarnings("FutureReturnValueIgnored") // failures surface as exceptionCaught/channelInactive
final class Http2StreamHandler extends ChannelInboundHandlerAdapter implements Downstream {
  private final ProxyRuntime rt;
  private ChannelHandlerContext ctx;
  private Exchange exchange;
  private boolean started;
  private boolean done;

  Http2StreamHandler(ProxyRuntime rt) {
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
    return ConnectionInfo.of(ctx.channel());
  }

  @Override
  public boolean http2() {
    return true;
  }

  @Override
  public ResponseFraming frame(HttpResponse response, boolean head, boolean requestComplete) {
    return ResponseFraming.applyHttp2(response, head);
  }

  @Override
  public boolean closesAfterReply(boolean requestComplete) {
    return false;
  }

  @Override
  public void closeAfterExchange() {
    // one exchange per stream anyway; the connection goes on
  }

  @Override
  public void readinessChanged() {
    Exchange ex = exchange;
    boolean want = ex == null || ex.requestComplete() || ex.wantsRequestBody();
    ctx.channel().config().setAutoRead(want);
  }

  @Override
  public boolean tunnel(Channel upstream) {
    // RFC 8441 (extended CONNECT) is not offered: an HTTP/2 request cannot ask for an upgrade
    return false;
  }

  @Override
  public void exchangeDone(Exchange ex) {
    done = true;
    boolean unread = !ex.requestComplete();
    exchange = null;
    if (unread) {
      // answered before the request ended (a denial, a failure): as Envoy, the rest of the
      // request is not wanted; closing the stream channel resets the stream
      ctx.close();
    } else {
      ctx.channel().config().setAutoRead(true);
    }
  }

  // ---- the stream

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request && !started) {
      started = true;
      LastHttpContent end = null;
      HttpRequest head = request;
      if (request instanceof FullHttpRequest full) {
        // HEADERS with END_STREAM: the exchange takes the head and the (empty) end apart
        head =
            new DefaultHttpRequest(
                full.protocolVersion(), full.method(), full.uri(), full.headers());
        head.setDecoderResult(full.decoderResult());
        end =
            full.content().isReadable() || !full.trailingHeaders().isEmpty()
                ? new DefaultLastHttpContent(full.content(), full.trailingHeaders())
                : endOf(full);
      }
      if (!Http2Requests.isOriginForm(head)) {
        // HTTP/2 has no absolute-form; `:path` is `/…` (or `*` for OPTIONS)
        ReferenceCountUtil.release(end);
        resetStream(ctx);
        return;
      }
      Http2Requests.removeExtensionHeaders(head.headers());
      Exchange ex = new Exchange(rt, this, head);
      exchange = ex;
      if (end != null) {
        // before the decision: a reply then knows the request is complete
        ex.onRequestContent(end);
      }
      ex.start();
      if (exchange != null) {
        readinessChanged();
      }
    } else if (msg instanceof HttpContent content
        && exchange != null
        && !exchange.requestComplete()) {
      exchange.onRequestContent(content);
      readinessChanged();
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private static LastHttpContent endOf(FullHttpRequest full) {
    full.release();
    return LastHttpContent.EMPTY_LAST_CONTENT;
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
    Exchange ex = exchange;
    exchange = null;
    if (ex != null && !done) {
      ex.onClientClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // a stream error (malformed headers, a content-length the DATA does not match): the codec
    // resets the stream with the error's code, and closing here first would say CANCEL instead
    if (!(cause instanceof Http2FrameStreamException)) {
      resetStream(ctx);
    }
  }

  /** Refuses the stream as nghttp2 (Envoy's codec) does a malformed request: PROTOCOL_ERROR. */
  private static void resetStream(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
