package dev.meshguard.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of an HTTP/2 client connection (its streams have their own pipelines): closes an
 * idle connection, ends it on an error no stream took, and takes the place of the HTTP/1.1 handler
 * when the connection switched protocols.
 */
@SuppressWarnings("FutureReturnValueIgnored") // close failures need no handling
final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    Http1ConnectionHandler h1 = ctx.pipeline().get(Http1ConnectionHandler.class);
    if (h1 != null) {
      ctx.pipeline().remove(h1);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    // connection-level frames the codec already answered (SETTINGS, PING, GOAWAY)
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      // as Envoy's idle_timeout: only a connection without streams is idle (a quiet gRPC stream
      // is not); GOAWAY, then close
      Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
      if (codec == null || codec.connection().numActiveStreams() == 0) {
        ctx.close();
      }
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // the codec answers its own errors (GOAWAY with the error's code, then a close); closing here
    // first would send GOAWAY(NO_ERROR) instead and hide why
    if (!(cause instanceof Http2Exception)) {
      ctx.close();
    }
  }
}
