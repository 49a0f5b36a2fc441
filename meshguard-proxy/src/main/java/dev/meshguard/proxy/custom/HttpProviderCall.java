package dev.meshguard.proxy.custom;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.CustomAnswer;
import dev.meshguard.engine.CustomCheck;
import dev.meshguard.engine.ExtAuthzProvider;
import dev.meshguard.jwks.ServiceRoute;
import dev.meshguard.runtime.custom.ProviderCall;
import dev.meshguard.runtime.custom.ProviderError;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * An `envoyExtAuthzHttp` provider over HTTP/1.1 on Netty: kept-alive connections per endpoint
 * (reused while the provider keeps them open), TLS when a DestinationRule asks for it. Nothing
 * blocks: the answer completes on the client's event loop.
 */
final class HttpProviderCall implements ProviderCall {
  /** The most of a provider's reply that is read (its denial body included). */
  static final int MAX_RESPONSE_BYTES = 1 << 20;

  private static final AttributeKey<CompletableFuture<FullHttpResponse>> PENDING =
      AttributeKey.valueOf("meshguard.extauthz.pending");

  private final ExtAuthzProvider provider;
  private final ServiceRoute route;
  private final SimpleChannelPool[] pools;
  private final AtomicInteger next = new AtomicInteger();

  HttpProviderCall(
      ExtAuthzProvider provider,
      ServiceRoute route,
      EventLoopGroup group,
      io.netty.resolver.AddressResolverGroup<InetSocketAddress> resolver) {
    this.provider = provider;
    this.route = route;
    this.pools = new SimpleChannelPool[route.dials().size()];
    SSLContext tls = null;
    if (route.tls() != null) {
      try {
        tls = route.tls().clientContext();
      } catch (IOException e) {
        tls = null; // every call fails with the reason below
      }
    }
    for (int i = 0; i < pools.length; i++) {
      ServiceRoute.Dial dial = route.dials().get(i);
      Bootstrap bootstrap =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .resolver(resolver)
              .option(ChannelOption.TCP_NODELAY, true)
              .option(
                  ChannelOption.CONNECT_TIMEOUT_MILLIS,
                  (int) Math.min(provider.timeout().toMillis(), 10_000L))
              .remoteAddress(InetSocketAddress.createUnresolved(dial.host(), dial.port()));
      SSLContext context = tls;
      pools[i] =
          new SimpleChannelPool(
              bootstrap,
              new AbstractChannelPoolHandler() {
                @Override
                public void channelCreated(Channel ch) {
                  if (route.tls() != null && context != null) {
                    ch.pipeline().addLast(sslHandler(context, route.tls(), dial));
                  }
                  ch.pipeline()
                      .addLast(new HttpClientCodec())
                      .addLast(new HttpObjectAggregator(MAX_RESPONSE_BYTES))
                      .addLast(new ReplyHandler());
                }
              },
              ChannelHealthChecker.ACTIVE,
              true,
              true);
    }
  }

  private static SslHandler sslHandler(
      SSLContext context, ServiceRoute.Tls tls, ServiceRoute.Dial dial) {
    String peer = tls.sni() != null ? tls.sni() : dial.host();
    SSLEngine engine = context.createSSLEngine(peer, dial.port());
    engine.setUseClientMode(true);
    SSLParameters params = engine.getSSLParameters();
    if (!tls.insecureSkipVerify() && tls.subjectAltNames().isEmpty()) {
      params.setEndpointIdentificationAlgorithm("HTTPS");
    }
    if (tls.sni() == null) {
      params.setServerNames(java.util.List.of());
    }
    engine.setSSLParameters(params);
    SslHandler handler = new SslHandler(engine);
    if (!tls.insecureSkipVerify() && !tls.subjectAltNames().isEmpty()) {
      handler
          .handshakeFuture()
          .addListener(
              f -> {
                if (f.isSuccess() && !sanMatches(handler, tls)) {
                  handler.closeOutbound();
                  handler.engine().closeInbound();
                }
              });
    }
    return handler;
  }

  private static boolean sanMatches(SslHandler handler, ServiceRoute.Tls tls) {
    try {
      Certificate[] chain = handler.engine().getSession().getPeerCertificates();
      return chain.length > 0
          && chain[0] instanceof X509Certificate leaf
          && tls.matchesSubjectAltName(leaf);
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return false;
    }
  }

  @Override
  public CompletableFuture<CustomAnswer> call(
      CustomCheck check, CheckRequest request, RequestBody body, Duration deadline) {
    CompletableFuture<CustomAnswer> answer = new CompletableFuture<>();
    if (route.error() != null || pools.length == 0) {
      answer.completeExceptionally(
          new ProviderError("connect", "service " + route.describe() + " cannot be reached"));
      return answer;
    }
    if (route.tls() != null) {
      try {
        route.tls().clientContext();
      } catch (IOException e) {
        answer.completeExceptionally(new ProviderError("connect", "tls: " + e.getMessage()));
        return answer;
      }
    }
    FullHttpRequest message = HttpCheckMessages.request(provider, check, request, body);
    SimpleChannelPool pool = pools[Math.floorMod(next.getAndIncrement(), pools.length)];
    pool.acquire()
        .addListener(
            acquired -> {
              if (!acquired.isSuccess()) {
                ReferenceCountUtil.release(message);
                answer.completeExceptionally(
                    new ProviderError(
                        "connect", "cannot connect to " + route.describe(), acquired.cause()));
                return;
              }
              Channel ch = (Channel) acquired.getNow();
              send(pool, ch, message, answer);
            });
    return answer;
  }

  private void send(
      SimpleChannelPool pool,
      Channel ch,
      FullHttpRequest message,
      CompletableFuture<CustomAnswer> answer) {
    CompletableFuture<FullHttpResponse> reply = new CompletableFuture<>();
    ch.attr(PENDING).set(reply);
    // a call given up (deadline, client gone) closes its connection: a late reply cannot be
    // taken for the next call's
    answer.whenComplete(
        (a, e) -> {
          if (!reply.isDone()) {
            ch.close();
          }
        });
    reply.whenComplete(
        (response, e) -> {
          ch.attr(PENDING).set(null);
          if (e != null) {
            ch.close();
            pool.release(ch);
            answer.completeExceptionally(
                e instanceof ProviderError
                    ? e
                    : new ProviderError("protocol", "no reply from " + route.describe(), e));
            return;
          }
          CustomAnswer result = null;
          RuntimeException failure = null;
          try {
            if (!HttpUtil.isKeepAlive(response)) {
              ch.close();
            }
            result = HttpCheckMessages.answer(provider, response);
          } catch (ProviderError error) {
            failure = error;
          } catch (RuntimeException error) {
            failure =
                new ProviderError("protocol", "unreadable reply from " + route.describe(), error);
          } finally {
            response.release();
            // back in the pool before the caller hears the answer: its next call can reuse it
            pool.release(ch);
          }
          if (failure != null) {
            answer.completeExceptionally(failure);
          } else {
            answer.complete(result);
          }
        });
    ChannelFuture written = ch.writeAndFlush(message);
    written.addListener(
        f -> {
          if (!f.isSuccess()) {
            reply.completeExceptionally(
                new ProviderError("connect", "cannot send to " + route.describe(), f.cause()));
          }
        });
  }

  /** Hands the reply (or the connection's end) to the call waiting on this connection. */
  private static final class ReplyHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    ReplyHandler() {
      super(false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      CompletableFuture<FullHttpResponse> pending = ctx.channel().attr(PENDING).get();
      if (pending == null || !pending.complete(response)) {
        response.release();
        ctx.close(); // a reply nobody asked for: this connection cannot be trusted
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fail(ctx, new ProviderError("protocol", "the provider closed the connection"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(ctx, new ProviderError("protocol", "connection failed: " + cause.getClass().getName()));
      ctx.close();
    }

    private static void fail(ChannelHandlerContext ctx, ProviderError error) {
      CompletableFuture<FullHttpResponse> pending = ctx.channel().attr(PENDING).get();
      if (pending != null) {
        pending.completeExceptionally(error);
      }
    }
  }

  @Override
  public void close() {
    for (SimpleChannelPool pool : pools) {
      pool.close();
    }
  }
}
