package dev.meshguard.proxy;

import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.MeshguardMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The `serve` data plane: an HTTP/1.1 and HTTP/2 reverse proxy that decides every request with the
 * engine and forwards the allowed ones to one upstream. Everything runs on the I/O event loops:
 * deciding never blocks (a request whose keys are being fetched waits without a thread, see {@link
 * Decider#decideAsync}).
 */
@SuppressWarnings("FutureReturnValueIgnored") // close failures need no handling
public final class ProxyServer implements Closeable {
  private final ProxyOptions options;
  private final EventLoopGroup group;
  private final UpstreamPool pool;
  private final ChannelGroup clients;
  private final ProxyRuntime runtime;
  private final Channel serverChannel;
  private volatile boolean stopped;

  private ProxyServer(
      ProxyOptions options,
      Supplier<PolicySnapshot> policies,
      Decider decider,
      MeshguardMetrics metrics,
      AccessLog accessLog,
      SslContext serverTls)
      throws IOException {
    this.options = options;
    this.group =
        new MultiThreadIoEventLoopGroup(
            options.ioThreads(),
            new DefaultThreadFactory("meshguard-io", true),
            Transport.current().ioHandlerFactory());
    this.clients = new DefaultChannelGroup("meshguard-clients", GlobalEventExecutor.INSTANCE);
    try {
      this.pool = new UpstreamPool(options);
    } catch (IOException e) {
      shutdownThreads();
      throw new IOException("upstream `" + options.upstream() + "`: " + e.getMessage(), e);
    }
    this.runtime = new ProxyRuntime(options, pool, policies, decider, metrics, accessLog, clients);
    HttpDecoderConfig decoderConfig = decoderConfig(options);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(Transport.current().serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(new ClientPipeline(runtime, decoderConfig, serverTls, clients));
    try {
      this.serverChannel = b.bind(options.listen()).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      shutdownThreads();
      throw new IOException("cannot listen on " + options.listen() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The request parser's limits. Strict: CRLF line ends only, header names and values validated (no
   * NUL, CR or LF inside), Content-Length with Transfer-Encoding rejected (Netty's RFC 9112
   * default), conflicting Content-Length values rejected.
   */
  static HttpDecoderConfig decoderConfig(ProxyOptions options) {
    return new HttpDecoderConfig()
        .setMaxInitialLineLength(options.maxRequestLineBytes())
        .setMaxHeaderSize(options.maxRequestHeaderBytes())
        .setMaxChunkSize(64 * 1024)
        .setStrictLineParsing(true)
        .setUseRfc9112TransferEncoding(true)
        .setAllowDuplicateContentLengths(false)
        .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(true))
        .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withValidation(true));
  }

  /** The HTTP/1.1 handlers of one client connection after TLS (for the handler tests). */
  static void initClientPipeline(
      ChannelPipeline p, ProxyRuntime runtime, HttpDecoderConfig decoderConfig) {
    long idleMillis = runtime.options.idleTimeout().toMillis();
    if (idleMillis > 0) {
      p.addLast(new IdleTimeout(idleMillis));
    }
    p.addLast(new HttpServerCodec(decoderConfig.clone()));
    p.addLast(new Http1ConnectionHandler(runtime));
  }

  /**
   * Binds the listener and starts serving.
   *
   * @param policies the configuration in force, read once per request
   * @param serverTls TLS for the listener, or null for plain HTTP
   */
  public static ProxyServer start(
      ProxyOptions options,
      Supplier<PolicySnapshot> policies,
      Decider decider,
      MeshguardMetrics metrics,
      AccessLog accessLog,
      SslContext serverTls)
      throws IOException {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(policies, "policies");
    Objects.requireNonNull(decider, "decider");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(accessLog, "accessLog");
    return new ProxyServer(options, policies, decider, metrics, accessLog, serverTls);
  }

  /** The bound listener address (the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  public ProxyOptions options() {
    return options;
  }

  public boolean draining() {
    return runtime.draining;
  }

  /** Fails readiness at once, before the listener closes, so load balancers stop sending. */
  public void startDraining() {
    runtime.draining = true;
  }

  /**
   * Stops accepting, lets in-flight requests finish for at most {@code grace}, then closes
   * everything. Idle keep-alive connections are closed at once; busy ones after their response.
   *
   * @return whether every connection finished within the grace period
   */
  public boolean shutdown(Duration grace) {
    if (stopped) {
      return true;
    }
    stopped = true;
    runtime.draining = true;
    serverChannel.close().syncUninterruptibly();
    for (Channel ch : clients) {
      ch.eventLoop()
          .execute(
              () -> {
                Http1ConnectionHandler h = ch.pipeline().get(Http1ConnectionHandler.class);
                if (h != null) {
                  h.drainConnection();
                } else {
                  ch.close();
                }
              });
    }
    long deadline = System.nanoTime() + grace.toNanos();
    boolean clean = true;
    while (!clients.isEmpty()) {
      if (System.nanoTime() > deadline) {
        clean = false;
        break;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        clean = false;
        break;
      }
    }
    clients.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    pool.closeIdle();
    shutdownThreads();
    return clean;
  }

  private void shutdownThreads() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }
}
