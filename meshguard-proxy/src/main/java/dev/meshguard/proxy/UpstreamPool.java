package dev.meshguard.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Keep-alive connections to the upstream, one idle stack per event loop: a connection is only ever
 * used by requests on the loop that created it, so the pool needs no locks. The most recently
 * released connection is reused first (it is the least likely to have been closed by the upstream).
 */
@SuppressWarnings("FutureReturnValueIgnored") // close failures need no handling
final class UpstreamPool {
  private static final int MAX_IDLE_PER_LOOP = 256;

  private final UpstreamTarget target;
  private final ProxyOptions options;
  private final SslContext ssl;
  private final Http2UpstreamConnections http2;
  private final Map<EventLoop, ArrayDeque<Channel>> idle = new ConcurrentHashMap<>();
  private final ScheduledExecutorService resolver;
  private volatile InetSocketAddress address;

  /** Gets told the outcome of {@link #acquire}; always called on the requesting loop. */
  interface Callback {
    void ready(Channel channel, boolean reused);

    void failed(UpstreamFailure failure);
  }

  UpstreamPool(ProxyOptions options) throws SSLException, UnknownHostException {
    this.options = options;
    this.target = options.upstream();
    this.ssl = target.tls() ? options.upstreamTls().context(target.http2()) : null;
    this.address = resolve();
    this.http2 =
        target.http2() ? new Http2UpstreamConnections(target, options, ssl, () -> address) : null;
    if (NetUtil.isValidIpV4Address(target.host()) || NetUtil.isValidIpV6Address(target.host())) {
      this.resolver = null;
    } else {
      // DNS answers change; resolving here keeps blocking lookups off the event loops.
      this.resolver =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "meshguard-upstream-dns");
                t.setDaemon(true);
                return t;
              });
      resolver.scheduleWithFixedDelay(this::refresh, 30, 30, TimeUnit.SECONDS);
    }
  }

  private InetSocketAddress resolve() throws UnknownHostException {
    return new InetSocketAddress(InetAddress.getByName(target.host()), target.port());
  }

  private void refresh() {
    try {
      address = resolve();
    } catch (UnknownHostException e) {
      // keep the last known address
    }
  }

  /**
   * Hands out an idle connection of {@code loop} or opens one. {@code allowReuse} is false for a
   * retry after a pooled connection turned out to be closed.
   */
  void acquire(EventLoop loop, boolean allowReuse, Callback callback) {
    if (http2 != null) {
      http2.acquire(loop, callback);
      return;
    }
    if (allowReuse) {
      ArrayDeque<Channel> stack = idle.get(loop);
      if (stack != null) {
        Channel ch;
        while ((ch = stack.pollLast()) != null) {
          if (ch.isActive()) {
            callback.ready(ch, true);
            return;
          }
        }
      }
    }
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
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (ssl != null) {
                      p.addLast(tlsHandler(ssl, ch, options, target));
                    }
                    p.addLast(
                        new HttpClientCodec(
                            new HttpDecoderConfig()
                                .setMaxInitialLineLength(16 * 1024)
                                .setMaxHeaderSize(96 * 1024)
                                .setMaxChunkSize(64 * 1024),
                            false,
                            false));
                    p.addLast(new IdleTimeout(options.upstreamIdleTimeout().toMillis()));
                    p.addLast(new UpstreamHandler());
                  }
                });
    ChannelFuture connect = b.connect(address);
    connect.addListener(
        f -> {
          if (f.isSuccess()) {
            Channel ch = connect.channel();
            // close listeners run on the channel's own loop, like every pool access
            ch.closeFuture()
                .addListener(
                    closed -> {
                      ArrayDeque<Channel> stack = idle.get(loop);
                      if (stack != null) {
                        stack.remove(ch);
                      }
                    });
            callback.ready(ch, false);
          } else if (f.cause() instanceof ConnectTimeoutException) {
            callback.failed(UpstreamFailure.CONNECT_TIMEOUT);
          } else {
            callback.failed(UpstreamFailure.CONNECT_FAILURE);
          }
        });
  }

  /**
   * TLS towards the upstream: SNI and certificate verification against `--upstream-sni` or the
   * upstream's host name.
   */
  static SslHandler tlsHandler(
      SslContext ssl, Channel ch, ProxyOptions options, UpstreamTarget target) {
    SslHandler tls =
        ssl.newHandler(ch.alloc(), options.upstreamTls().serverName(target), target.port());
    SSLEngine engine = tls.engine();
    SSLParameters params = engine.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(params);
    return tls;
  }

  /** The upstream speaks HTTP/2: a connection is a stream, trailers can be carried. */
  boolean http2() {
    return http2 != null;
  }

  /** Returns a connection whose last exchange completed cleanly. Called on its loop. */
  void release(Channel ch) {
    if (http2 != null) {
      // a stream: done once both sides ended; closing an unfinished one resets it
      ch.close();
      return;
    }
    if (!ch.isActive()) {
      return;
    }
    EventLoop loop = ch.eventLoop();
    ArrayDeque<Channel> stack = idle.computeIfAbsent(loop, l -> new ArrayDeque<>());
    if (stack.size() >= MAX_IDLE_PER_LOOP) {
      ch.close();
      return;
    }
    stack.addLast(ch);
  }

  /** Closes every idle connection (shutdown). */
  void closeIdle() {
    if (http2 != null) {
      http2.closeAll();
    }
    for (Map.Entry<EventLoop, ArrayDeque<Channel>> e : idle.entrySet()) {
      ArrayDeque<Channel> stack = e.getValue();
      e.getKey()
          .execute(
              () -> {
                Channel ch;
                while ((ch = stack.pollLast()) != null) {
                  ch.close();
                }
              });
    }
    if (resolver != null) {
      resolver.shutdownNow();
    }
  }
}
