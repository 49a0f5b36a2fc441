package dev.meshguard.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of an upstream connection: hands what arrives to the exchange that borrowed the
 * connection, and closes the connection when it idles in the pool or speaks out of turn.
 */
@SuppressWarnings("FutureReturnValueIgnored") // failures end up in channelInactive
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  /** The exchange currently using this connection. */
  interface Listener {
    void onUpstreamMessage(Object msg);

    void onUpstreamReadComplete();

    void onUpstreamWritabilityChanged();

    void onUpstreamClosed();
  }

  private Listener listener;

  void attach(Listener l) {
    this.listener = l;
  }

  void detach() {
    this.listener = null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Listener l = listener;
    if (l != null) {
      l.onUpstreamMessage(msg);
    } else {
      // a pooled connection must stay silent between requests
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Listener l = listener;
    if (l != null) {
      l.onUpstreamReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Listener l = listener;
    if (l != null) {
      l.onUpstreamWritabilityChanged();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Listener l = listener;
    listener = null;
    if (l != null) {
      l.onUpstreamClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && listener == null) {
      ctx.close();
    }
    ReferenceCountUtil.release(evt);
  }
}
