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
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
      conn = ConnectionInfo.of(ctx.channel());
    }
    return conn;
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
    PolicySnapshot snapshot = rt.policies.get();
    ex.snapshot = snapshot;
    try {
      ex.prepared = rt.preparer.prepare(request, connectionInfo());
    } catch (RequestRejected e) {
      ex.reject(e.status(), e.body(), MALFORMED, e.reason());
      return;
    } catch (RuntimeException e) {
      // a value Netty refuses to take back (header validation): the codec would have said 400
      ex.reject(
          400, "Bad Request", MALFORMED, "request could not be read: " + e.getClass().getName());
      return;
    }
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
    PolicySnapshot snapshot;
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
      if (last) {
        Trailers.drop(content);
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
      try {
        decided(d);
      } catch (RuntimeException e) {
        onUnexpected(e);
      }
    }

    private void decided(Decision d) {
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
      String unsendable = UpstreamRequest.apply(request, d, expectContinue, requestChunked);
      if (unsendable != null) {
        failUpstream(UpstreamFailure.INVALID_REQUEST, unsendable);
        return;
      }
      phase = Phase.CONNECTING;
      rt.pool.acquire(ctx.channel().eventLoop(), true, this);
    }

    @Override
    public void ready(Channel ch, boolean reusedConnection) {
      if (exchange != this || phase != Phase.CONNECTING || closed) {
        rt.pool.release(ch);
        return;
      }
      try {
        forward(ch, reusedConnection);
      } catch (RuntimeException e) {
        onUnexpected(e);
      }
    }

    private void forward(Channel ch, boolean reusedConnection) {
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
                  onWriteFailed(ch, f.cause());
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
      failUpstream(failure, failure.body());
    }

    void failUpstream(UpstreamFailure failure, String body) {
      rt.metrics.upstreamFailure(failure.name());
      respond(failure.status(), body, List.of(), failure);
    }

    /**
     * The request headers could not be encoded: nothing reached the upstream, so answer 503 as
     * Envoy's router does when its codec refuses a request, rather than retrying the same bytes.
     */
    private void onWriteFailed(Channel ch, Throwable cause) {
      if (cause instanceof EncoderException
          && exchange == this
          && phase == Phase.FORWARDING
          && !responseStarted
          && requestBodyBytesSent == 0) {
        abortUpstream();
        failUpstream(UpstreamFailure.INVALID_REQUEST, "upstream request could not be encoded");
      } else {
        ch.close();
      }
    }

    /**
     * A bug on the way to the upstream must still end the exchange: a local reply while nothing was
     * answered, a closed connection otherwise. Never a client left waiting.
     */
    private void onUnexpected(RuntimeException e) {
      if (phase == Phase.DONE) {
        return;
      }
      // a bug, so say so; the exception names no header value (those may be tokens)
      System.err.println(
          "meshguard: internal error on the way upstream: " + e.getClass().getName());
      if (!responseStarted) {
        abortUpstream();
        failUpstream(UpstreamFailure.INVALID_REQUEST, "upstream request could not be sent");
      } else {
        abortUpstream();
        log(upstreamStatus, UpstreamFailure.INVALID_REQUEST);
        phase = Phase.DONE;
        ctx.close();
      }
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
        if (last) {
          Trailers.drop(content);
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
      boolean closeWanted =
          closeAfterExchange || !clientKeepAlive || rt.draining || !requestComplete;
      ResponseFraming framing = ResponseFraming.apply(response, head, clientHttp11, closeWanted);
      // an allowing ext_authz provider's headers for the client (Envoy: response_headers_to_add)
      decision.responseHeaders().forEach(h -> response.headers().add(h.getKey(), h.getValue()));
      upstreamKeepAlive = framing.upstreamKeepAlive();
      closeClientAfter = framing.closeClient();
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
      RequestRejected r = RequestRejected.decoderFailure(cause);
      reject(r.status(), r.body(), MALFORMED, r.reason());
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

    /** The target as decided on (or as received), token parameter values redacted. */
    private String loggedTarget() {
      String target = prepared != null ? prepared.target() : WireText.forLog(rawTarget);
      return LoggedTarget.redact(target, snapshot);
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
              request.decoderResult().isFailure() ? null : loggedTarget(),
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
