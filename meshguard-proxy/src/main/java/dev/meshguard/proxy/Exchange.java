package dev.meshguard.proxy;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.jwt.JwtStatus;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One request and its response, whatever protocol the client spoke: decide → connect → forward →
 * respond. The client side is a {@link Downstream} (an HTTP/1.1 connection or an HTTP/2 stream)
 * that hands over the request as {@code HttpObject}s; everything here runs on its event loop.
 */
// Channel futures are not checked one by one: write failures surface as exceptionCaught and
// channelInactive, which end the exchange.
@SuppressWarnings("FutureReturnValueIgnored")
final class Exchange implements UpstreamHandler.Listener, UpstreamPool.Callback {
  static final String MALFORMED = "MALFORMED";

  enum Phase {
    DECIDING,
    CONNECTING,
    FORWARDING,
    DONE
  }

  private final ProxyRuntime rt;
  private final Downstream downstream;
  private final ChannelHandlerContext ctx;
  private final HttpRequest request;
  private final ExchangeLog log = new ExchangeLog();
  private final boolean head;
  private final boolean requestChunked;
  private final boolean expectContinue;
  private final boolean grpc;

  /** Trailers cross only from HTTP/2 to HTTP/2; HTTP/1 drops them as Envoy does by default. */
  private final boolean keepTrailers;

  private PolicySnapshot snapshot;
  private RequestPreparer.Prepared prepared;
  private CompletableFuture<Decision> deciding;
  private Decision decision;
  private Phase phase = Phase.DECIDING;
  private final ArrayDeque<HttpContent> buffered = new ArrayDeque<>(2);
  private boolean requestComplete;
  private long requestBodyBytesSent;
  private Channel upstream;
  private UpstreamHandler upstreamHandler;
  private boolean reused;
  private boolean retried;
  private boolean responseStarted;
  private boolean skipInformational;
  private ResponseFraming framing;
  private int upstreamStatus;
  private ScheduledFuture<?> timeout;

  Exchange(ProxyRuntime rt, Downstream downstream, HttpRequest request) {
    this.rt = rt;
    this.downstream = downstream;
    this.ctx = downstream.ctx();
    this.request = request;
    this.head = request.method().equals(HttpMethod.HEAD);
    this.requestChunked = HttpUtil.isTransferEncodingChunked(request);
    this.expectContinue = HttpUtil.is100ContinueExpected(request);
    this.grpc = Grpc.isGrpc(request);
    this.keepTrailers = downstream.http2() && rt.pool.http2();
  }

  boolean requestComplete() {
    return requestComplete;
  }

  /** The client may send more of the body: the upstream is connected and can take it. */
  boolean wantsRequestBody() {
    return phase == Phase.FORWARDING && upstream != null && upstream.isWritable();
  }

  /** End of a read burst from the client: what was written upstream goes out. */
  void flushUpstream() {
    if (upstream != null) {
      upstream.flush();
    }
  }

  /** The upstream is read only while the client can take more. */
  void clientWritabilityChanged(boolean writable) {
    if (upstream != null) {
      upstream.config().setAutoRead(writable);
    }
  }

  // ---- request side

  /** Prepares the request and starts deciding it; a request that cannot be read is answered. */
  void start() {
    if (request.decoderResult().isFailure()) {
      requestComplete = true;
      RequestRejected r = RequestRejected.decoderFailure(request.decoderResult().cause());
      reject(r.status(), r.body(), MALFORMED, r.reason());
      return;
    }
    snapshot = rt.policies.get();
    try {
      prepared = rt.preparer.prepare(request, downstream.connection());
    } catch (RequestRejected e) {
      reject(e.status(), e.body(), MALFORMED, e.reason());
      return;
    } catch (RuntimeException e) {
      // a value Netty refuses to take back (header validation): the codec would have said 400
      reject(400, "Bad Request", MALFORMED, "request could not be read: " + e.getClass().getName());
      return;
    }
    CheckRequest check = prepared.check();
    EventLoop loop = ctx.channel().eventLoop();
    // On this loop, but after the current read is drained: a request's end usually arrives with
    // its headers, and a local reply must know whether the body was complete. A decision that
    // waits for a key fetch (at most its rule's timeout) is completed back on this loop.
    loop.execute(
        () -> {
          if (phase != Phase.DECIDING) {
            return;
          }
          CompletableFuture<Decision> decided;
          try {
            decided = rt.decider.decideAsync(snapshot, check, loop);
          } catch (RuntimeException e) {
            decided = CompletableFuture.completedFuture(null);
          }
          deciding = decided;
          decided.whenComplete(
              (d, e) -> {
                if (loop.inEventLoop()) {
                  onDecision(d);
                } else {
                  loop.execute(() -> onDecision(d));
                }
              });
        });
  }

  void onRequestContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (content.decoderResult().isFailure()) {
      ReferenceCountUtil.release(content);
      requestComplete = true;
      downstream.closeAfterExchange();
      if (!responseStarted && phase != Phase.DONE) {
        abortUpstream();
        reject(400, "Bad Request", MALFORMED, "malformed request body");
      } else {
        ctx.close();
      }
      return;
    }
    if (last && !keepTrailers) {
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
  private void onDecision(Decision d) {
    if (phase != Phase.DECIDING) {
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
    if (grpc && rt.pool.http2()) {
      // removed with the other hop-by-hop headers; gRPC servers expect it (Envoy keeps it)
      request.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
    phase = Phase.CONNECTING;
    rt.pool.acquire(ctx.channel().eventLoop(), true, this);
  }

  @Override
  public void ready(Channel ch, boolean reusedConnection) {
    if (phase != Phase.CONNECTING) {
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
    downstream.readinessChanged();
  }

  @Override
  public void failed(UpstreamFailure failure) {
    if (phase != Phase.CONNECTING) {
      return;
    }
    failUpstream(failure);
  }

  private void failUpstream(UpstreamFailure failure) {
    failUpstream(failure, failure.body());
  }

  private void failUpstream(UpstreamFailure failure, String body) {
    rt.metrics.upstreamFailure(failure.name());
    respond(failure.status(), body, List.of(), failure);
  }

  /**
   * The request headers could not be encoded: nothing reached the upstream, so answer 503 as
   * Envoy's router does when its codec refuses a request, rather than retrying the same bytes.
   */
  private void onWriteFailed(Channel ch, Throwable cause) {
    if (cause instanceof EncoderException
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
   * answered, a closed client side otherwise. Never a client left waiting.
   */
  private void onUnexpected(RuntimeException e) {
    if (phase == Phase.DONE) {
      return;
    }
    // a bug, so say so; the exception names no header value (those may be tokens)
    System.err.println("meshguard: internal error on the way upstream: " + e.getClass().getName());
    abortUpstream();
    if (!responseStarted) {
      failUpstream(UpstreamFailure.INVALID_REQUEST, "upstream request could not be sent");
    } else {
      endAbruptly(UpstreamFailure.INVALID_REQUEST);
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
    if (phase != Phase.FORWARDING) {
      return;
    }
    abortUpstream();
    if (!responseStarted) {
      failUpstream(UpstreamFailure.REQUEST_TIMEOUT);
    } else {
      // the response is under way: the client can only be told by a close (HTTP/1.1) or a reset
      rt.metrics.upstreamFailure(UpstreamFailure.REQUEST_TIMEOUT.name());
      endAbruptly(UpstreamFailure.REQUEST_TIMEOUT);
    }
  }

  /** A response that started cannot be finished: log it and close (or reset) the client side. */
  private void endAbruptly(UpstreamFailure failure) {
    log(upstreamStatus, failure);
    phase = Phase.DONE;
    ctx.close();
  }

  // ---- response side

  @Override
  public void onUpstreamMessage(Object msg) {
    if (phase != Phase.FORWARDING) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse response) {
      if (msg instanceof LastHttpContent) {
        // HEADERS that end the stream (HTTP/2; a gRPC trailers-only response): all in one
        onUpstreamFullResponse(response);
        return;
      }
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
        endAbruptly(UpstreamFailure.PROTOCOL_ERROR);
        return;
      }
      if (last && !keepTrailers) {
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

  private void onUpstreamFullResponse(HttpResponse response) {
    if (response.status().code() < 200) {
      ReferenceCountUtil.release(response);
      return;
    }
    onUpstreamResponse(response);
    if (phase != Phase.FORWARDING) {
      ReferenceCountUtil.release(response);
      return;
    }
    if (!keepTrailers) {
      Trailers.drop((LastHttpContent) response);
    }
    onResponseComplete();
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
    if (code == 101 && upgradeRequested() && WebSocketUpgrade.accepted(response)) {
      switchProtocols(response);
      return;
    }
    if (code < 200) {
      // informational (100 Continue after all): not forwarded; its empty body follows
      skipInformational = true;
      return;
    }
    responseStarted = true;
    upstreamStatus = code;
    if (rt.pool.http2()) {
      Http2Requests.removeExtensionHeaders(response.headers());
    }
    framing = downstream.frame(response, head, requestComplete);
    ctx.write(response);
  }

  private boolean upgradeRequested() {
    return !downstream.http2() && WebSocketUpgrade.isUpgrade(request.headers());
  }

  /**
   * The upstream accepted the WebSocket upgrade: the 101 goes to the client and the two connections
   * become a tunnel. The exchange ends here (logged as 101); the upstream connection is never
   * pooled again.
   */
  private void switchProtocols(HttpResponse response) {
    cancelTimeout();
    responseStarted = true;
    upstreamStatus = 101;
    WebSocketUpgrade.frame(response);
    ctx.write(response);
    ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
    phase = Phase.DONE;
    Channel up = upstream;
    upstreamHandler.detach();
    upstream = null;
    log(101, null);
    ctx.flush();
    if (!downstream.tunnel(up)) {
      up.close();
      ctx.close();
    }
  }

  private void onResponseComplete() {
    cancelTimeout();
    phase = Phase.DONE;
    Channel up = upstream;
    upstreamHandler.detach();
    upstream = null;
    if (requestComplete && framing.upstreamKeepAlive() && up.isActive()) {
      up.config().setAutoRead(true);
      rt.pool.release(up);
    } else {
      up.close();
    }
    log(upstreamStatus, null);
    if (framing.closeClient()) {
      downstream.closeAfterExchange();
    }
    ctx.flush();
    downstream.exchangeDone(this);
  }

  @Override
  public void onUpstreamReadComplete() {
    ctx.flush();
  }

  @Override
  public void onUpstreamWritabilityChanged() {
    downstream.readinessChanged();
  }

  @Override
  public void onUpstreamClosed() {
    if (phase != Phase.FORWARDING) {
      return;
    }
    upstream = null;
    cancelTimeout();
    if (!responseStarted) {
      if (reused && !retried && requestComplete && requestBodyBytesSent == 0) {
        // a pooled connection the upstream had already closed: nothing was processed, so
        // sending the request again on a fresh connection is safe
        retried = true;
        phase = Phase.CONNECTING;
        rt.pool.acquire(ctx.channel().eventLoop(), false, this);
        return;
      }
      failUpstream(UpstreamFailure.CONNECTION_TERMINATION);
    } else {
      rt.metrics.upstreamFailure(UpstreamFailure.CONNECTION_TERMINATION.name());
      endAbruptly(UpstreamFailure.CONNECTION_TERMINATION);
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

  /** A reply decided before the engine ran (malformed or unsupported requests). */
  private void reject(int status, String body, String outcome, String reason) {
    downstream.closeAfterExchange();
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
    releaseBuffered();
    boolean close = downstream.closesAfterReply(requestComplete);
    if (close) {
      downstream.closeAfterExchange();
    }
    ctx.writeAndFlush(
        grpc
            ? LocalReplies.grpc(ctx.alloc(), status, body, headers, close)
            : LocalReplies.reply(ctx.alloc(), status, body, headers, close, head));
    String o = outcome != null ? outcome : outcomeName();
    String r = reason != null ? reason : decision != null ? decision.reason() : null;
    record(status, o, r, null, failure);
    downstream.exchangeDone(this);
  }

  /** A decision still waiting for keys is no longer wanted: its wait ends, the fetch goes on. */
  private void stopDeciding() {
    if (deciding != null) {
      deciding.cancel(false);
    }
  }

  private void releaseBuffered() {
    HttpContent c;
    while ((c = buffered.poll()) != null) {
      ReferenceCountUtil.release(c);
    }
  }

  /** The client went away (or reset its stream). */
  void onClientClosed() {
    stopDeciding();
    cancelTimeout();
    releaseBuffered();
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

  private void log(int status, UpstreamFailure failure) {
    record(
        status,
        outcomeName(),
        decision != null ? decision.reason() : null,
        upstreamStatus == 0 ? null : upstreamStatus,
        failure);
  }

  private void record(
      int status, String outcome, String reason, Integer upStatus, UpstreamFailure failure) {
    log.record(
        rt,
        downstream,
        request,
        snapshot,
        prepared,
        decision,
        status,
        outcome,
        reason,
        upStatus,
        failure);
  }

  private String outcomeName() {
    return decision != null ? decision.outcome().name() : "ERROR";
  }
}
