package dev.meshguard.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * HTTP/2 to the upstream (`h2c://`, `h2://`): one connection per event loop, a stream per request.
 * A stream is a channel of its own with the same {@code HttpObject} shape as an HTTP/1.1
 * connection, so the {@link Exchange} does not know which it got. Only ever touched on its loop.
 */
@SuppressWarnings("FutureReturnValueIgnored") // failures end up in the callbacks or a close
final class Http2UpstreamConnections {
  private final UpstreamTarget target;
  private final ProxyOptions options;
  private final SslContext ssl;
  private final Supplier<InetSocketAddress> address;
  private final Map<EventLoop, Connection> connections = new ConcurrentHashMap<>();

  /** One connection and the requests waiting for it to be ready. */
  private final class Connection {
    final EventLoop loop;
    Channel channel;
    boolean ready;
    final ArrayDeque<UpstreamPool.Callback> waiting = new ArrayDeque<>(2);

    Connection(EventLoop loop) {
      this.loop = loop;
    }
  }

  Http2UpstreamConnections(
      UpstreamTarget target,
      ProxyOptions options,
      SslContext ssl,
      Supplier<InetSocketAddress> address) {
    this.target = target;
    this.options = options;
    this.ssl = ssl;
    this.address = address;
  }

  void acquire(EventLoop loop, UpstreamPool.Callback callback) {
    Connection c = connections.get(loop);
    if (c != null && c.ready && !c.channel.isActive()) {
      connections.remove(loop, c);
      c = null;
    }
    if (c == null) {
      c = connect(loop);
      connections.put(loop, c);
    }
    if (c.ready) {
      open(c, callback);
    } else {
      c.waiting.add(callback);
    }
  }

  private void open(Connection c, UpstreamPool.Callback callback) {
    new Http2StreamChannelBootstrap(c.channel)
        .handler(
            new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline()
                    .addLast(new Http2StreamFrameToHttpObjectCodec(false), new UpstreamHandler());
              }
            })
        .open()
        .addListener(
            f -> {
              if (f.isSuccess()) {
                callback.ready((Channel) f.getNow(), false);
              } else {
                // e.g. more streams than the upstream allows at once
                callback.failed(UpstreamFailure.CONNECT_FAILURE);
              }
            });
  }

  private Connection connect(EventLoop loop) {
    Connection c = new Connection(loop);
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(Transport.current().socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (ssl != null) {
                      p.addLast(UpstreamPool.tlsHandler(ssl, ch, options, target));
                    }
                    p.addLast(
                        Http2FrameCodecBuilder.forClient().validateHeaders(true).build(),
                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                        new IdleTimeout(options.upstreamIdleTimeout().toMillis()),
                        new ConnectionGuard(c));
                  }
                });
    ChannelFuture connect = b.connect(address.get());
    c.channel = connect.channel();
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            fail(
                c,
                f.cause() instanceof ConnectTimeoutException
                    ? UpstreamFailure.CONNECT_TIMEOUT
                    : UpstreamFailure.CONNECT_FAILURE);
            return;
          }
          c.channel.closeFuture().addListener(closed -> fail(c, UpstreamFailure.CONNECT_FAILURE));
          SslHandler tls = c.channel.pipeline().get(SslHandler.class);
          if (tls == null) {
            ready(c);
            return;
          }
          tls.handshakeFuture()
              .addListener(
                  h -> {
                    if (h.isSuccess()
                        && ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
                      ready(c);
                    } else {
                      // no TLS, or the upstream would not speak h2: never a silent HTTP/1.1
                      c.channel.close();
                      fail(c, UpstreamFailure.CONNECT_FAILURE);
                    }
                  });
        });
    return c;
  }

  private void ready(Connection c) {
    c.ready = true;
    UpstreamPool.Callback cb;
    while ((cb = c.waiting.poll()) != null) {
      open(c, cb);
    }
  }

  private void fail(Connection c, UpstreamFailure failure) {
    connections.remove(c.loop, c);
    c.ready = false;
    UpstreamPool.Callback cb;
    while ((cb = c.waiting.poll()) != null) {
      cb.failed(failure);
    }
  }

  void closeAll() {
    for (Connection c : connections.values()) {
      c.loop.execute(() -> c.channel.close());
    }
  }

  /**
   * After the codec: a GOAWAY retires the connection (streams in flight finish, new ones go to a
   * new connection); an idle connection without streams is closed.
   */
  private final class ConnectionGuard extends ChannelInboundHandlerAdapter {
    private final Connection c;

    ConnectionGuard(Connection c) {
      this.c = c;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2GoAwayFrame) {
        connections.remove(c.loop, c);
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        if (codec == null || codec.connection().numActiveStreams() == 0) {
          connections.remove(c.loop, c);
          ctx.close();
        }
      }
      ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
