package dev.meshguard.proxy.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.Closeable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tiny stand-in for Istio's Bookinfo sample behind `meshguard demo`: `/productpage` (HTML) and
 * `/api/v1/products[/{id}[/reviews|/ratings]]` (JSON). Written for the demo, not taken from Istio.
 */
@SuppressWarnings("FutureReturnValueIgnored") // write failures close the connection
public final class BookinfoUpstream implements Closeable {
  private record Product(int id, String title, String author, int year) {}

  private static final List<Product> PRODUCTS =
      List.of(
          new Product(0, "The Comedy of Errors", "William Shakespeare", 1595),
          new Product(1, "Twelfth Night", "William Shakespeare", 1602));

  private final EventLoopGroup group;
  private final Channel channel;

  private BookinfoUpstream(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /** Starts on a loopback port chosen by the system. */
  public static BookinfoUpstream start() {
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("bookinfo", true), NioIoHandler.newFactory());
    Channel ch =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel c) {
                    c.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(new Handler());
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .syncUninterruptibly()
            .channel();
    return new BookinfoUpstream(group, ch);
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String path = request.uri();
      int q = path.indexOf('?');
      if (q >= 0) {
        path = path.substring(0, q);
      }
      FullHttpResponse response;
      if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
        response =
            reply(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "method not allowed\n");
      } else if (path.equals("/productpage")) {
        response = reply(HttpResponseStatus.OK, "text/html; charset=utf-8", productPage());
      } else if (path.equals("/api/v1/products")) {
        StringBuilder sb = new StringBuilder("[");
        for (Product p : PRODUCTS) {
          sb.append(sb.length() > 1 ? "," : "").append(json(p));
        }
        response = reply(HttpResponseStatus.OK, "application/json", sb.append("]\n").toString());
      } else if (path.startsWith("/api/v1/products/")) {
        response = product(path.substring("/api/v1/products/".length()));
      } else {
        response = reply(HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n");
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      HttpUtil.setKeepAlive(response, keepAlive);
      if (keepAlive) {
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    private static FullHttpResponse product(String rest) {
      String[] parts = rest.split("/", -1);
      int id;
      try {
        id = Integer.parseInt(parts[0]);
      } catch (NumberFormatException e) {
        return reply(
            HttpResponseStatus.BAD_REQUEST, "application/json", "{\"error\":\"bad id\"}\n");
      }
      if (id < 0 || id >= PRODUCTS.size()) {
        return reply(
            HttpResponseStatus.NOT_FOUND, "application/json", "{\"error\":\"no such product\"}\n");
      }
      if (parts.length == 1) {
        return reply(HttpResponseStatus.OK, "application/json", json(PRODUCTS.get(id)) + "\n");
      }
      if (parts.length == 2 && parts[1].equals("reviews")) {
        return reply(
            HttpResponseStatus.OK,
            "application/json",
            "{\"id\":"
                + id
                + ",\"reviews\":[{\"reviewer\":\"Reviewer1\",\"text\":\"A fine read.\"}]}\n");
      }
      if (parts.length == 2 && parts[1].equals("ratings")) {
        return reply(
            HttpResponseStatus.OK,
            "application/json",
            "{\"id\":" + id + ",\"ratings\":{\"Reviewer1\":5}}\n");
      }
      return reply(HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n");
    }

    private static String json(Product p) {
      return "{\"id\":"
          + p.id()
          + ",\"title\":\""
          + p.title()
          + "\",\"author\":\""
          + p.author()
          + "\",\"year\":"
          + p.year()
          + "}";
    }

    private static String productPage() {
      StringBuilder sb =
          new StringBuilder(
              """
              <!DOCTYPE html>
              <html><head><title>Simple Bookstore App</title></head><body>
              <h1>Simple Bookstore App</h1>
              <ul>
              """);
      for (Product p : PRODUCTS) {
        sb.append("<li>")
            .append(p.title())
            .append(" by ")
            .append(p.author())
            .append(" (")
            .append(p.year())
            .append(")</li>\n");
      }
      return sb.append("</ul>\n</body></html>\n").toString();
    }

    private static FullHttpResponse reply(HttpResponseStatus status, String type, String body) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      FullHttpResponse r =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
      r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
