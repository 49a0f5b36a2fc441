package dev.meshguard.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * An HTTP/2-only upstream (h2c with prior knowledge, or h2 over TLS): answers every request with
 * 200, `x-upstream: h2`, the body it got, and a trailer `x-trailer: done`. Records what it got.
 */
public final class TestH2Upstream implements AutoCloseable {
  /** One request as received, and the client certificate's subject when TLS asked for one. */
  public record Received(
      String method, String path, Map<String, String> headers, String body, String clientCert) {}

  public final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;

  public TestH2Upstream(SslContext tls) {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                      ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forServer().build(),
                            new Http2MultiplexHandler(
                                new ChannelInitializer<Http2StreamChannel>() {
                                  @Override
                                  protected void initChannel(Http2StreamChannel s) {
                                    s.pipeline()
                                        .addLast(
                                            new Http2StreamFrameToHttpObjectCodec(true),
                                            new HttpObjectAggregator(1 << 20),
                                            new Echo());
                                  }
                                }));
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .syncUninterruptibly()
            .channel();
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  private final class Echo extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      Map<String, String> headers = new java.util.TreeMap<>();
      req.headers()
          .forEach(
              e ->
                  headers.merge(
                      e.getKey().toLowerCase(java.util.Locale.ROOT),
                      e.getValue(),
                      (a, b) -> a + "," + b));
      String body = req.content().toString(StandardCharsets.UTF_8);
      received.add(new Received(req.method().name(), req.uri(), headers, body, peer(ctx)));
      ByteBuf out = Unpooled.copiedBuffer("echo:" + body, StandardCharsets.UTF_8);
      FullHttpResponse res =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, out);
      res.headers().set("x-upstream", "h2");
      res.trailingHeaders().set("x-trailer", "done");
      ctx.writeAndFlush(res);
    }

    private String peer(ChannelHandlerContext ctx) {
      SslHandler tls = ctx.channel().parent().pipeline().get(SslHandler.class);
      if (tls == null) {
        return null;
      }
      try {
        return ((X509Certificate) tls.engine().getSession().getPeerCertificates()[0])
            .getSubjectX500Principal()
            .getName();
      } catch (SSLPeerUnverifiedException e) {
        return null;
      }
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
