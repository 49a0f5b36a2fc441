package dev.meshguard.proxy;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.authz.ShadowResult;
import dev.meshguard.jwt.JwtStatus;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;

/**
 * One client connection. Requests are handled one at a time in arrival order (pipelined requests
 * wait in {@link #pending}); each goes through decide → connect → forward → respond in an {@link
 * Exchange}. Everything runs on the connection's event loop, the decision included: it never
 * blocks, and one that waits for a key fetch holds no thread and comes back to this loop.
 *
 * <p>Backpressure: the client socket is read only while a request body is being forwarded and the
 * upstream socket can take more; the upstream socket is read only while the client socket can take
 * more. Nothing buffers a whole body.
 */
// Channel futures are not checked one by one: write failures surface as exceptionCaught and
// channelInactive, which end the exchange.
@SuppressWarnings("FutureReturnValueIgnored")
final class ProxyConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final String MALFORMED = "MALFORMED";

  /** Decoded messages queued behind the current exchange before reading pauses. */
  private static final int MAX_PIPELINED = 16;

  private final ProxyRuntime rt;
  private final ArrayDeque<HttpObject> pending = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private ConnectionInfo conn;
  private Exchange exchange;
  private boolean closeAfterExchange;
  private boolean closed;
  private boolean draining;
  private boolean drainAgain;

  ProxyConnectionHandler(ProxyRuntime rt) {
    this.rt = rt;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.fireChannelActive();
  }

  private ConnectionInfo connectionInfo() {
    if (conn == null) {
      Channel ch = ctx.channel();
      SslHandler tls = ch.pipeline().get(SslHandler.class);
      InetSocketAddress peer = inet(ch.remoteAddress());
      InetSocketAddress local = inet(ch.localAddress());
      conn =
          new ConnectionInfo(
              peer == null ? null : peer.getAddress().getHostAddress(),
              local == null ? null : local.getAddress().getHostAddress(),
              local == null ? 0 : local.getPort(),
              tls == null ? "http" : "https",
              tls == null ? null : sni(tls.engine().getSession()));
    }
    return conn;
  }

  private static InetSocketAddress inet(java.net.SocketAddress a) {
    return a instanceof InetSocketAddress i && i.getAddress() != null ? i : null;
  }

  private static String sni(SSLSession session) {
    if (session instanceof ExtendedSSLSession ext) {
      for (SNIServerName name : ext.getRequestedServerNames()) {
        if (name instanceof SNIHostName host) {
          return host.getAsciiName();
        }
      }
    }
    return null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpObject obj) || closed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    pending.add(obj);
    drain();
  }

  /** Feeds queued messages to the current exchange, starting the next one when it is done. */
  private void drain() {
    if (draining) {
      drainAgain = true;
      return;
    }
    draining = true;
    try {
      do {
        drainAgain = false;
        while (!closed) {
          HttpObject m = pending.peek();
          if (m == null) {
            break;
          }
          if (exchange == null) {
            pending.poll();
            if (m instanceof HttpRequest req && !closeAfterExchange) {
              startExchange(req);
            } else {
              ReferenceCountUtil.release(m);
            }
          } else if (m instanceof HttpContent content && !exchange.requestComplete) {
            pending.poll();
            exchange.onRequestContent(content);
          } else {
            break;
          }
        }
      } while (drainAgain && !closed);
    } finally {
      draining = false;
    }
    updateAutoRead();
  }

  private void updateAutoRead() {
    if (closed) {
      return;
    }
    boolean want;
    if (exchange == null) {
      want = !closeAfterExchange;
    } else if (exchange.requestComplete) {
      // only a pipelined request can follow: keep reading (no interest-op churn per request)
      // while the queue of those stays small
      want = !closeAfterExchange && pending.size() < MAX_PIPELINED;
    } else {
      // a body: read it only as fast as the upstream takes it, never before it is allowed
      want =
          exchange.phase == Phase.FORWARDING
              && exchange.upstream != null
              && exchange.upstream.isWritable();
    }
    ctx.channel().config().setAutoRead(want);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (exchange != null && exchange.upstream != null) {
      exchange.upstream.flush();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null && exchange.upstream != null) {
      exchange.upstream.config().setAutoRead(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    HttpObject m;
    while ((m = pending.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
    if (exchange != null) {
      exchange.onClientClosed();
      exchange = null;
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // connection resets and TLS failures: nothing to answer on this connection any more
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
    }
    ReferenceCountUtil.release(evt);
  }

  /** Shutdown: close now if idle, otherwise after the current response. Runs on the loop. */
  void drainConnection() {
    closeAfterExchange = true;
    if (exchange == null) {
      ctx.close();
    }
  }

  private void startExchange(HttpRequest request) {
    Exchange ex = new Exchange(request);
    exchange = ex;
    if (request.decoderResult().isFailure()) {
      ex.rejectMalformed(request.decoderResult().cause());
      return;
    }
    try {
      ex.prepared = rt.preparer.prepare(request, connectionInfo());
    } catch (BadRequestException e) {
      ex.reject(400, "Bad Request", MALFORMED, e.getMessage());
      return;
    }
    PolicySnapshot snapshot = rt.policies.get();
    CheckRequest check = ex.prepared.check();
    EventLoop loop = ctx.channel().eventLoop();
    // On this loop, but after the current read is drained: a request's end usually arrives with
    // its headers, and a local reply must know whether the body was complete. A decision that
    // waits for a key fetch (at most its rule's timeout) is completed back on this loop.
    loop.execute(
        () -> {
          if (exchange != ex || closed) {
            return;
          }
          CompletableFuture<Decision> decided;
          try {
            decided = rt.decider.decideAsync(snapshot, check, loop);
          } catch (RuntimeException e) {
            decided = CompletableFuture.completedFuture(null);
          }
          ex.deciding = decided;
          decided.whenComplete(
              (d, e) -> {
                if (loop.inEventLoop()) {
                  ex.onDecision(d);
                } else {
                  loop.execute(() -> ex.onDecision(d));
                }
              });
        });
  }

  private void finishExchange(Exchange ex) {
    if (exchange != ex) {
      return;
    }
    exchange = null;
    if (closeAfterExchange || rt.draining) {
      closeAfterExchange = true;
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    drain();
  }

  enum Phase {
    DECIDING,
    CONNECTING,
    FORWARDING,
    DONE
  }

  /** One request and its response. */
  private final class Exchange implements UpstreamHandler.Listener, UpstreamPool.Callback {
    final HttpRequest request;
    final long startNanos = System.nanoTime();
    final Instant startTime = Instant.now();
    final boolean clientKeepAlive;
    final boolean clientHttp11;
    final boolean head;
    final boolean requestChunked;
    final boolean expectContinue;
    final String rawTarget;
    RequestPreparer.Prepared prepared;
    CompletableFuture<Decision> deciding;
    Decision decision;
    Phase phase = Phase.DECIDING;
    final ArrayDeque<HttpContent> buffered = new ArrayDeque<>(2);
    boolean requestComplete;
    long requestBodyBytesSent;
    Channel upstream;
    UpstreamHandler upstreamHandler;
    boolean reused;
    boolean retried;
    boolean responseStarted;
    boolean skipInformational;
    boolean upstreamKeepAlive;
    boolean closeClientAfter;
    int upstreamStatus;
    ScheduledFuture<?> timeout;
    boolean logged;

    Exchange(HttpRequest request) {
      this.request = request;
      this.rawTarget = request.uri();
      this.clientKeepAlive = HttpUtil.isKeepAlive(request);
      this.clientHttp11 = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
      this.head = request.method().equals(HttpMethod.HEAD);
      this.requestChunked = HttpUtil.isTransferEncodingChunked(request);
      this.expectContinue = HttpUtil.is100ContinueExpected(request);
    }

    // ---- request side

    void onRequestContent(HttpContent content) {
      boolean last = content instanceof LastHttpContent;
      if (content.decoderResult().isFailure()) {
        ReferenceCountUtil.release(content);
        requestComplete = true;
        closeAfterExchange = true;
        if (!responseStarted && phase != Phase.DONE) {
          abortUpstream();
          reject(400, "Bad Request", MALFORMED, "malformed request body");
        } else {
          ctx.close();
        }
        return;
      }
      switch (phase) {
        case DECIDING, CONNECTING -> buffered.add(content);
        case FORWARDING -> {
          requestBodyBytesSent += content.content().readableBytes();
          upstream.write(content);
        }
        default -> ReferenceCountUtil.release(content);
      }
      if (last) {
        requestComplete = true;
        if (phase == Phase.FORWARDING) {
          upstream.flush();
          startTimeout();
        }
      }
    }

    /** {@code d} is null when the decider failed (or the wait was called off). */
    void onDecision(Decision d) {
      if (exchange != this || phase != Phase.DECIDING || closed) {
        return;
      }
      decision = d;
      if (d == null) {
        // the engine promises not to throw; if it does, deny rather than forward
        reject(403, "RBAC: access denied", "ERROR", "internal error while deciding");
        return;
      }
      JwtStatus jwt = d.jwtStatus();
      if (jwt != null && jwt != JwtStatus.OK && jwt != JwtStatus.JWT_MISSED) {
        rt.metrics.jwtFailure(jwt.name());
      }
      if (!d.allowed()) {
        respond(d.status(), d.body(), d.responseHeaders(), null);
        return;
      }
      applyRewrite(d);
      phase = Phase.CONNECTING;
      rt.pool.acquire(ctx.channel().eventLoop(), true, this);
    }

    private void applyRewrite(Decision d) {
      HttpHeaders headers = request.headers();
      Decision.UpstreamRewrite up = d.upstream();
      if (up != null) {
        request.setUri(up.path());
        for (String name : up.removeHeaders()) {
          headers.remove(name);
        }
        for (Map.Entry<String, String> h : up.addHeaders()) {
          headers.add(h.getKey(), h.getValue());
        }
      } else {
        String uri = request.uri();
        int hash = uri.indexOf('#');
        if (hash >= 0) {
          request.setUri(uri.substring(0, hash));
        }
      }
      if (expectContinue) {
        // we answer 100-continue ourselves once allowed, as Envoy does by default
        headers.remove(HttpHeaderNames.EXPECT);
      }
      if (requestChunked) {
        HttpUtil.setTransferEncodingChunked(request, true);
      }
      request.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    @Override
    public void ready(Channel ch, boolean reusedConnection) {
      if (exchange != this || phase != Phase.CONNECTING || closed) {
        rt.pool.release(ch);
        return;
      }
      upstream = ch;
      reused = reusedConnection;
      upstreamHandler = ch.pipeline().get(UpstreamHandler.class);
      upstreamHandler.attach(this);
      ch.config().setAutoRead(ctx.channel().isWritable());
      phase = Phase.FORWARDING;
      ch.write(request)
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  ch.close();
                }
              });
      HttpContent c;
      while ((c = buffered.poll()) != null) {
        requestBodyBytesSent += c.content().readableBytes();
        ch.write(c);
      }
      if (retried && requestComplete && requestBodyBytesSent == 0) {
        ch.write(LastHttpContent.EMPTY_LAST_CONTENT);
      }
      ch.flush();
      if (requestComplete) {
        startTimeout();
      } else if (expectContinue) {
        ctx.writeAndFlush(
            new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
      }
      updateAutoRead();
    }

    @Override
    public void failed(UpstreamFailure failure) {
      if (exchange != this || phase != Phase.CONNECTING || closed) {
        return;
      }
      failUpstream(failure);
    }

    void failUpstream(UpstreamFailure failure) {
      rt.metrics.upstreamFailure(failure.name());
      respond(failure.status(), failure.body(), List.of(), failure);
    }

    private void startTimeout() {
      long ms = rt.options.requestTimeout().toMillis();
      if (ms > 0 && timeout == null) {
        timeout = ctx.executor().schedule(this::onTimeout, ms, TimeUnit.MILLISECONDS);
      }
    }

    private void cancelTimeout() {
      if (timeout != null) {
        timeout.cancel(false);
        timeout = null;
      }
    }

    private void onTimeout() {
      timeout = null;
      if (exchange != this || phase != Phase.FORWARDING) {
        return;
      }
      if (!responseStarted) {
        abortUpstream();
        failUpstream(UpstreamFailure.REQUEST_TIMEOUT);
      } else {
        // the response is under way: HTTP/1.1 can only signal this by closing
        rt.metrics.upstreamFailure(UpstreamFailure.REQUEST_TIMEOUT.name());
        abortUpstream();
        log(upstreamStatus, UpstreamFailure.REQUEST_TIMEOUT);
        phase = Phase.DONE;
        ctx.close();
      }
    }

    // ---- response side

    @Override
    public void onUpstreamMessage(Object msg) {
      if (phase != Phase.FORWARDING) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpResponse response) {
        onUpstreamResponse(response);
        if (phase != Phase.FORWARDING) {
          ReferenceCountUtil.release(msg);
          return;
        }
      }
      if (msg instanceof HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (skipInformational || !responseStarted) {
          ReferenceCountUtil.release(content);
          if (last) {
            skipInformational = false;
          }
          return;
        }
        if (content.decoderResult().isFailure()) {
          ReferenceCountUtil.release(content);
          abortUpstream();
          log(upstreamStatus, UpstreamFailure.PROTOCOL_ERROR);
          phase = Phase.DONE;
          ctx.close();
          return;
        }
        ctx.write(content);
        if (last) {
          onResponseComplete();
        } else if (!ctx.channel().isWritable()) {
          upstream.config().setAutoRead(false);
        }
      }
    }

    private void onUpstreamResponse(HttpResponse response) {
      if (response.decoderResult().isFailure()) {
        abortUpstream();
        if (responseStarted) {
          phase = Phase.DONE;
          ctx.close();
        } else {
          failUpstream(UpstreamFailure.PROTOCOL_ERROR);
        }
        return;
      }
      int code = response.status().code();
      if (code < 200) {
        // informational (100 Continue after all): not forwarded; its empty body follows
        skipInformational = true;
        return;
      }
      responseStarted = true;
      upstreamStatus = code;
      HttpHeaders headers = response.headers();
      boolean chunked = HttpUtil.isTransferEncodingChunked(response);
      boolean hasLength = HttpUtil.isContentLengthSet(response);
      boolean bodyless = head || code == 204 || code == 304;
      upstreamKeepAlive = HttpUtil.isKeepAlive(response) && (chunked || hasLength || bodyless);
      HopByHopHeaders.remove(headers);
      boolean close = closeAfterExchange || !clientKeepAlive || rt.draining || !requestComplete;
      if (!bodyless && !hasLength) {
        if (clientHttp11) {
          HttpUtil.setTransferEncodingChunked(response, true);
        } else {
          close = true; // an HTTP/1.0 client reads the body until the connection closes
        }
      }
      response.setProtocolVersion(HttpVersion.HTTP_1_1);
      if (close) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      } else if (!clientHttp11) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
      closeClientAfter = close;
      ctx.write(response);
    }

    private void onResponseComplete() {
      cancelTimeout();
      phase = Phase.DONE;
      Channel up = upstream;
      upstreamHandler.detach();
      upstream = null;
      if (requestComplete && upstreamKeepAlive && up.isActive()) {
        up.config().setAutoRead(true);
        rt.pool.release(up);
      } else {
        up.close();
      }
      log(upstreamStatus, null);
      if (closeClientAfter) {
        closeAfterExchange = true;
      }
      ctx.flush();
      finishExchange(this);
    }

    @Override
    public void onUpstreamReadComplete() {
      ctx.flush();
    }

    @Override
    public void onUpstreamWritabilityChanged() {
      updateAutoRead();
    }

    @Override
    public void onUpstreamClosed() {
      if (exchange != this || phase != Phase.FORWARDING) {
        return;
      }
      upstream = null;
      if (!responseStarted) {
        if (reused && !retried && requestComplete && requestBodyBytesSent == 0) {
          // a pooled connection the upstream had already closed: nothing was processed, so
          // sending the request again on a fresh connection is safe
          retried = true;
          cancelTimeout();
          phase = Phase.CONNECTING;
          rt.pool.acquire(ctx.channel().eventLoop(), false, this);
          return;
        }
        cancelTimeout();
        failUpstream(UpstreamFailure.CONNECTION_TERMINATION);
      } else {
        cancelTimeout();
        rt.metrics.upstreamFailure(UpstreamFailure.CONNECTION_TERMINATION.name());
        log(upstreamStatus, UpstreamFailure.CONNECTION_TERMINATION);
        phase = Phase.DONE;
        ctx.close();
      }
    }

    private void abortUpstream() {
      cancelTimeout();
      if (upstream != null) {
        upstreamHandler.detach();
        upstream.close();
        upstream = null;
      }
    }

    // ---- local replies and the end of an exchange

    void rejectMalformed(Throwable cause) {
      requestComplete = true;
      closeAfterExchange = true;
      if (cause instanceof TooLongHttpLineException) {
        reject(414, "URI Too Long", MALFORMED, "request line too long");
      } else if (cause instanceof TooLongHttpHeaderException
          || cause instanceof TooLongFrameException) {
        reject(431, "Request Header Fields Too Large", MALFORMED, "request headers too large");
      } else {
        reject(400, "Bad Request", MALFORMED, "malformed request: " + cause.getMessage());
      }
    }

    /** A reply decided before the engine ran (malformed or unsupported requests). */
    void reject(int status, String body, String outcome, String reason) {
      closeAfterExchange = true;
      sendLocal(status, body, List.of(), outcome, reason, null);
    }

    private void respond(
        int status, String body, List<Map.Entry<String, String>> headers, UpstreamFailure f) {
      sendLocal(status, body, headers, null, null, f);
    }

    private void sendLocal(
        int status,
        String body,
        List<Map.Entry<String, String>> headers,
        String outcome,
        String reason,
        UpstreamFailure failure) {
      phase = Phase.DONE;
      stopDeciding();
      abortUpstream();
      HttpContent c;
      while ((c = buffered.poll()) != null) {
        ReferenceCountUtil.release(c);
      }
      // the rest of an unread request body would be taken for the next request: close instead
      boolean close = closeAfterExchange || !requestComplete || !clientKeepAlive || rt.draining;
      if (close) {
        closeAfterExchange = true;
      }
      ctx.writeAndFlush(LocalReplies.reply(ctx.alloc(), status, body, headers, close, head));
      logLocal(status, outcome, reason, failure);
      finishExchange(this);
    }

    /** A decision still waiting for keys is no longer wanted: its wait ends, the fetch goes on. */
    private void stopDeciding() {
      if (deciding != null) {
        deciding.cancel(false);
      }
    }

    void onClientClosed() {
      stopDeciding();
      cancelTimeout();
      HttpContent c;
      while ((c = buffered.poll()) != null) {
        ReferenceCountUtil.release(c);
      }
      if (upstream != null) {
        upstreamHandler.detach();
        upstream.close();
        upstream = null;
      }
      if (phase != Phase.DONE) {
        phase = Phase.DONE;
        log(0, null);
      }
    }

    private void logLocal(int status, String outcome, String reason, UpstreamFailure failure) {
      if (logged) {
        return;
      }
      logged = true;
      String o = outcome != null ? outcome : outcomeName();
      String r = reason != null ? reason : decision != null ? decision.reason() : null;
      record(status, o, r, null, failure);
    }

    private void log(int status, UpstreamFailure failure) {
      if (logged) {
        return;
      }
      logged = true;
      record(
          status,
          outcomeName(),
          decision != null ? decision.reason() : null,
          upstreamStatus == 0 ? null : upstreamStatus,
          failure);
    }

    private String outcomeName() {
      return decision != null ? decision.outcome().name() : "ERROR";
    }

    private void record(
        int status, String outcome, String reason, Integer upStatus, UpstreamFailure failure) {
      long nanos = System.nanoTime() - startNanos;
      String policy = decision != null ? decision.policy() : null;
      rt.metrics.request(outcome, status, policy, nanos);
      ShadowResult shadow = decision != null ? decision.shadow() : null;
      rt.metrics.shadow(shadow);
      CheckRequest check = prepared != null ? prepared.check() : null;
      rt.accessLog.log(
          new AccessLogEntry(
              startTime,
              prepared != null ? prepared.requestId() : null,
              check != null ? check.effectiveRemoteIp() : connectionInfo().peerIp(),
              request.decoderResult().isFailure() ? null : request.method().name(),
              check != null ? check.host() : null,
              request.decoderResult().isFailure() ? null : rawTarget,
              status,
              outcome,
              policy,
              decision != null ? decision.principal() : null,
              reason,
              upStatus,
              failure == null ? null : failure.name(),
              nanos / 1_000_000.0,
              shadow == null ? null : shadow.effectivePolicyId(),
              shadow == null ? null : shadow.engineResult()));
    }
  }
}
