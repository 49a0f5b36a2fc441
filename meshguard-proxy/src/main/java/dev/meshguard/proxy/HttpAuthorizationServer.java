package dev.meshguard.proxy;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.FrontEnd;
import dev.meshguard.runtime.MeshguardMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HTTP front end of `extauthz`: Envoy's HTTP ext_authz protocol and the forward-auth calls of
 * nginx and Traefik, decided by the same {@link Decider} as the gRPC service. It lives here because
 * Netty lives only in this module; `extauthz` starts it beside its gRPC listener.
 */
@SuppressWarnings("FutureReturnValueIgnored") // write failures close the connection
public final class HttpAuthorizationServer implements FrontEnd, Closeable {
  /** Request bodies are not decided on; Envoy sends none unless told to, so keep them small. */
  private static final int MAX_CALL_BYTES = 64 * 1024;

  /**
   * Envoy forwards request headers up to its `max_request_headers_kb` (60 KiB by default), the path
   * among them; Netty's 8 KiB default would refuse, as 400, calls Envoy makes for requests it
   * accepted (an oversized token is Envoy's 401, not a bad request). Room for the path prefix and
   * the headers Envoy adds on top.
   */
  private static final int MAX_CALL_HEADER_BYTES = 64 * 1024;

  private final EventLoopGroup group;
  private final Channel serverChannel;

  private HttpAuthorizationServer(
      InetSocketAddress listen,
      HttpAuthorizationRequests requests,
      boolean envoy,
      Supplier<PolicySnapshot> policies,
      Decider decider,
      MeshguardMetrics metrics)
      throws IOException {
    group =
        new MultiThreadIoEventLoopGroup(
            1,
            new DefaultThreadFactory("meshguard-authz-io", true),
            Transport.current().ioHandlerFactory());
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(Transport.current().serverChannel())
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new HttpServerCodec(
                                new HttpDecoderConfig()
                                    .setMaxInitialLineLength(MAX_CALL_HEADER_BYTES)
                                    .setMaxHeaderSize(MAX_CALL_HEADER_BYTES)
                                    .setStrictLineParsing(true)
                                    .setHeadersFactory(
                                        DefaultHttpHeadersFactory.headersFactory()
                                            .withValidation(true))))
                        .addLast(new HttpObjectAggregator(MAX_CALL_BYTES))
                        .addLast(new CallHandler(requests, envoy, policies, decider, metrics));
                  }
                });
    try {
      serverChannel = b.bind(listen).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      close();
      throw new IOException("cannot listen on " + listen + ": " + e.getMessage(), e);
    }
  }

  /**
   * Binds {@code listen} and starts answering.
   *
   * @param policies the snapshot in force, read once per call
   */
  public static HttpAuthorizationServer start(
      InetSocketAddress listen,
      HttpAuthorizationRequests requests,
      Supplier<PolicySnapshot> policies,
      Decider decider,
      MeshguardMetrics metrics)
      throws IOException {
    Objects.requireNonNull(listen, "listen");
    return new HttpAuthorizationServer(
        listen,
        Objects.requireNonNull(requests, "requests"),
        requests.dialect() == HttpAuthorizationRequests.Dialect.ENVOY,
        Objects.requireNonNull(policies, "policies"),
        Objects.requireNonNull(decider, "decider"),
        Objects.requireNonNull(metrics, "metrics"));
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** Nothing to do: readiness is the admin listener's, which the gRPC server drives. */
  @Override
  public void startDraining() {}

  /**
   * Stops accepting, lets decisions in flight finish for at most {@code grace}, then closes.
   *
   * @return whether the event loops stopped in time
   */
  @Override
  public boolean shutdown(Duration grace) {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    long graceMillis = Math.max(0, grace.toMillis());
    return group
        .shutdownGracefully(Math.min(graceMillis, 100), graceMillis + 1, TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(graceMillis + 5000, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }

  /**
   * One connection: each call is decided on its event loop; a call whose keys are being fetched
   * waits without holding the loop and is answered when the fetch ends or its rule's timeout
   * passes.
   */
  private final class CallHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final HttpAuthorizationRequests requests;
    private final boolean envoy;
    private final Supplier<PolicySnapshot> policies;
    private final Decider decider;
    private final MeshguardMetrics metrics;

    CallHandler(
        HttpAuthorizationRequests requests,
        boolean envoy,
        Supplier<PolicySnapshot> policies,
        Decider decider,
        MeshguardMetrics metrics) {
      this.requests = requests;
      this.envoy = envoy;
      this.policies = policies;
      this.decider = decider;
      this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest call) {
      long start = System.nanoTime();
      boolean keepAlive = HttpUtil.isKeepAlive(call) && call.decoderResult().isSuccess();
      if (!call.decoderResult().isSuccess()) {
        reply(ctx, HttpAuthorizationResponses.badRequest("malformed request"), false);
        return;
      }
      CheckRequest check;
      try {
        String peer =
            ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
        check = requests.toCheckRequest(call, peer);
      } catch (BadRequestException e) {
        metrics.request("BAD_REQUEST", 400, null, System.nanoTime() - start);
        reply(ctx, HttpAuthorizationResponses.badRequest(e.getMessage()), keepAlive);
        return;
      }
      // one call at a time per connection, so pipelined calls are answered in order
      ctx.channel().config().setAutoRead(false);
      CompletableFuture<Decision> decided;
      try {
        decided = decider.decideAsync(policies.get(), check, ctx.channel().eventLoop());
      } catch (RuntimeException | LinkageError | StackOverflowError e) {
        answer(ctx, null, e, keepAlive, start);
        return;
      }
      ctx.channel().closeFuture().addListener(closed -> decided.cancel(false));
      decided.whenComplete(
          (decision, failure) -> {
            if (failure instanceof CancellationException) {
              return; // the caller went away
            }
            if (ctx.channel().eventLoop().inEventLoop()) {
              answer(ctx, decision, failure, keepAlive, start);
            } else {
              ctx.channel()
                  .eventLoop()
                  .execute(() -> answer(ctx, decision, failure, keepAlive, start));
            }
          });
    }

    private void answer(
        ChannelHandlerContext ctx,
        Decision decision,
        Throwable failure,
        boolean keepAlive,
        long start) {
      FullHttpResponse response;
      try {
        if (decision == null) {
          throw new IllegalStateException("no decision", failure);
        }
        response = HttpAuthorizationResponses.of(decision, envoy);
        metrics.request(
            decision.outcome().name(),
            decision.status(),
            decision.policy(),
            System.nanoTime() - start);
      } catch (RuntimeException | LinkageError | StackOverflowError e) {
        // never fail open
        metrics.request("ERROR", 403, null, System.nanoTime() - start);
        response = HttpAuthorizationResponses.internalError();
      }
      reply(ctx, response, keepAlive);
      ctx.channel().config().setAutoRead(true);
    }

    private void reply(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
      HttpUtil.setKeepAlive(response, keepAlive);
      if (keepAlive) {
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
