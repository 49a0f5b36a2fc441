package dev.meshguard.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;

/**
 * The handlers of a client connection, by protocol as Envoy's codec `AUTO` picks it: on TLS, what
 * ALPN agreed (`h2` or `http/1.1`); in plain text, HTTP/2 when the connection starts with its
 * preface (prior knowledge) or asks for `Upgrade: h2c`, HTTP/1.1 otherwise.
 */
final class ClientPipeline extends ChannelInitializer<SocketChannel> {
  /** The largest request an `Upgrade: h2c` may carry (it is read whole before switching). */
  private static final int MAX_UPGRADE_BODY = 64 * 1024;

  private final ProxyRuntime rt;
  private final HttpDecoderConfig decoderConfig;
  private final SslContext tls;
  private final ChannelGroup clients;

  ClientPipeline(
      ProxyRuntime rt, HttpDecoderConfig decoderConfig, SslContext tls, ChannelGroup clients) {
    this.rt = rt;
    this.decoderConfig = decoderConfig;
    this.tls = tls;
    this.clients = clients;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    clients.add(ch);
    ChannelPipeline p = ch.pipeline();
    if (tls != null) {
      p.addLast(tls.newHandler(ch.alloc()));
    }
    long idleMillis = rt.options.idleTimeout().toMillis();
    if (idleMillis > 0) {
      p.addLast(new IdleTimeout(idleMillis));
    }
    if (tls == null) {
      HttpServerCodec codec = new HttpServerCodec(decoderConfig.clone());
      HttpServerUpgradeHandler upgrade =
          new HttpServerUpgradeHandler(
              codec,
              protocol ->
                  AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                      ? new Http2ServerUpgradeCodec(
                          Http2Connections.frameCodec(rt.options),
                          Http2Connections.multiplexer(streamInitializer()),
                          new Http2ConnectionGuard())
                      : null,
              MAX_UPGRADE_BODY);
      p.addLast(new CleartextHttp2ServerUpgradeHandler(codec, upgrade, http2Handlers()));
      p.addLast(new Http1ConnectionHandler(rt));
    } else if (tls.applicationProtocolNegotiator()
        .protocols()
        .contains(ApplicationProtocolNames.HTTP_2)) {
      p.addLast(
          new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
              if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                ctx.pipeline().addLast(http2Handlers());
              } else {
                addHttp1(ctx.pipeline());
              }
            }
          });
    } else {
      addHttp1(p);
    }
  }

  private void addHttp1(ChannelPipeline p) {
    p.addLast(new HttpServerCodec(decoderConfig.clone()));
    p.addLast(new Http1ConnectionHandler(rt));
  }

  /** The HTTP/2 handlers of a connection that starts with (or switched to) HTTP/2. */
  private ChannelHandler http2Handlers() {
    return new ChannelHandlerAdapter() {
      @Override
      public void handlerAdded(ChannelHandlerContext ctx) {
        // in this handler's place, before anything that may follow it
        ChannelPipeline p = ctx.pipeline();
        p.addAfter(ctx.name(), "h2-codec", Http2Connections.frameCodec(rt.options));
        p.addAfter("h2-codec", "h2-streams", Http2Connections.multiplexer(streamInitializer()));
        p.addAfter("h2-streams", "h2-guard", new Http2ConnectionGuard());
        p.remove(this);
      }
    };
  }

  private ChannelInitializer<Http2StreamChannel> streamInitializer() {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Http2StreamChannel ch) {
        ch.pipeline()
            .addLast(new Http2StreamFrameToHttpObjectCodec(true, true), new Http2StreamHandler(rt));
      }
    };
  }
}
