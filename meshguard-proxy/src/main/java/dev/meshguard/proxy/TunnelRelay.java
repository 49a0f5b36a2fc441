package dev.meshguard.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * One direction of an upgraded connection (WebSocket): bytes read here are written to the peer.
 * Reading pauses while the peer cannot take more; either side closing closes the other once what
 * was written has gone out.
 */
@SuppressWarnings("FutureReturnValueIgnored") // failures close the channels
final class TunnelRelay extends ChannelInboundHandlerAdapter {
  private final Channel peer;

  TunnelRelay(Channel peer) {
    this.peer = peer;
  }

  /** Connects {@code a} and {@code b} both ways; their HTTP handlers must be gone already. */
  static void connect(Channel a, Channel b) {
    a.pipeline().addLast(new TunnelRelay(b));
    b.pipeline().addLast(new TunnelRelay(a));
    a.config().setAutoRead(b.isWritable());
    b.config().setAutoRead(a.isWritable());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes && peer.isActive()) {
      peer.write(bytes);
      if (!peer.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    } else {
      // the end of the 101 the decoder emits before it steps aside, or a closing peer
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    peer.config().setAutoRead(ctx.channel().isWritable());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (peer.isActive()) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    ReferenceCountUtil.release(evt);
  }
}
