package dev.meshguard.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The upstream half of an allowed {@link Exchange} (Envoy's router): get a connection (HTTP/1.1
 * from the pool, or an HTTP/2 stream), write the request and its body, relay the response to the
 * client, retry once on a pooled connection the upstream had closed, time the request out. What to
 * tell the client when this fails is the exchange's.
 */
@SuppressWarnings("FutureReturnValueIgnored") // write failures surface as a close
final class UpstreamCall implements UpstreamHandler.Listener, UpstreamPool.Callback {
  private enum State {
    CONNECTING,
    FORWARDING,
    DONE
  }

  private final Exchange exchange;
  private final ProxyRuntime rt;
  private final Downstream downstream;
  private final ChannelHandlerContext ctx;
  private final HttpRequest request;
  private final boolean head;
  private final boolean expectContinue;
  private final boolean keepTrailers;
  private State state = State.CONNECTING;
  private Channel upstream;
  private UpstreamHandler handler;
  private boolean reused;
  private boolean retried;
  private long bodyBytesSent;
  private boolean responseStarted;
  private boolean skipInformational;
  private ResponseFraming framing;
  private int status;
  private ScheduledFuture<?> timeout;

  UpstreamCall(
      Exchange exchange,
      ProxyRuntime rt,
      Downstream downstream,
      HttpRequest request,
      boolean head,
      boolean expectContinue,
      boolean keepTrailers) {
    this.exchange = exchange;
    this.rt = rt;
    this.downstream = downstream;
    this.ctx = downstream.ctx();
    this.request = request;
    this.head = head;
    this.expectContinue = expectContinue;
    this.keepTrailers = keepTrailers;
  }

  void start() {
    rt.pool.acquire(ctx.channel().eventLoop(), true, this);
  }

  /** The request is on its way: body parts can be written as they come. */
  boolean forwarding() {
    return state == State.FORWARDING;
  }

  boolean responseStarted() {
    return responseStarted;
  }

  /** The upstream's status, 0 before its response. */
  int status() {
    return status;
  }

  /** Connected and the upstream connection can take more of the body. */
  boolean wantsBody() {
    return state == State.FORWARDING && upstream != null && upstream.isWritable();
  }

  void write(HttpContent content) {
    bodyBytesSent += content.content().readableBytes();
    upstream.write(content);
  }

  /** The last part of the body was written: out it goes, and the request timeout starts. */
  void requestEnded() {
    upstream.flush();
    startTimeout();
  }

  void flush() {
    if (upstream != null) {
      upstream.flush();
    }
  }

  /** The upstream is read only while the client can take more. */
  void clientWritable(boolean writable) {
    if (upstream != null) {
      upstream.config().setAutoRead(writable);
    }
  }

  // ---- connecting and writing

  @Override
  public void ready(Channel ch, boolean reusedConnection) {
    if (state != State.CONNECTING) {
      rt.pool.release(ch);
      return;
    }
    try {
      forward(ch, reusedConnection);
    } catch (RuntimeException e) {
      exchange.onUnexpected(e);
    }
  }

  private void forward(Channel ch, boolean reusedConnection) {
    upstream = ch;
    reused = reusedConnection;
    handler = ch.pipeline().get(UpstreamHandler.class);
    handler.attach(this);
    ch.config().setAutoRead(ctx.channel().isWritable());
    state = State.FORWARDING;
    ch.write(request)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                onWriteFailed(ch, f.cause());
              }
            });
    HttpContent c;
    while ((c = exchange.pollBuffered()) != null) {
      bodyBytesSent += c.content().readableBytes();
      ch.write(c);
    }
    boolean complete = exchange.requestComplete();
    if (retried && complete && bodyBytesSent == 0) {
      ch.write(LastHttpContent.EMPTY_LAST_CONTENT);
    }
    ch.flush();
    if (complete) {
      startTimeout();
    } else if (expectContinue) {
      ctx.writeAndFlush(
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    }
    downstream.readinessChanged();
  }

  @Override
  public void failed(UpstreamFailure failure) {
    if (state != State.CONNECTING) {
      return;
    }
    state = State.DONE;
    exchange.upstreamFailed(failure, failure.body());
  }

  /**
   * The request headers could not be encoded: nothing reached the upstream, so answer 503 as
   * Envoy's router does when its codec refuses a request, rather than retrying the same bytes.
   */
  private void onWriteFailed(Channel ch, Throwable cause) {
    if (cause instanceof EncoderException
        && state == State.FORWARDING
        && !responseStarted
        && bodyBytesSent == 0) {
      abort();
      exchange.upstreamFailed(
          UpstreamFailure.INVALID_REQUEST, "upstream request could not be encoded");
    } else {
      ch.close();
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
    if (state != State.FORWARDING) {
      return;
    }
    abort();
    if (!responseStarted) {
      exchange.upstreamFailed(
          UpstreamFailure.REQUEST_TIMEOUT, UpstreamFailure.REQUEST_TIMEOUT.body());
    } else {
      // the response is under way: the client can only be told by a close (HTTP/1.1) or a reset
      rt.metrics.upstreamFailure(UpstreamFailure.REQUEST_TIMEOUT.name());
      exchange.endAbruptly(status, UpstreamFailure.REQUEST_TIMEOUT);
    }
  }

  // ---- the response

  @Override
  public void onUpstreamMessage(Object msg) {
    if (state != State.FORWARDING) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse response) {
      if (msg instanceof LastHttpContent) {
        // HEADERS that end the stream (HTTP/2; a gRPC trailers-only response): all in one
        onFullResponse(response);
        return;
      }
      onResponse(response);
      if (state != State.FORWARDING) {
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
        abort();
        exchange.endAbruptly(status, UpstreamFailure.PROTOCOL_ERROR);
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

  private void onFullResponse(HttpResponse response) {
    if (response.status().code() < 200) {
      ReferenceCountUtil.release(response);
      return;
    }
    onResponse(response);
    if (state != State.FORWARDING) {
      ReferenceCountUtil.release(response);
      return;
    }
    if (!keepTrailers) {
      Trailers.drop((LastHttpContent) response);
    }
    onResponseComplete();
  }

  private void onResponse(HttpResponse response) {
    if (response.decoderResult().isFailure()) {
      abort();
      if (responseStarted) {
        exchange.endAbruptly(status, null);
      } else {
        exchange.upstreamFailed(
            UpstreamFailure.PROTOCOL_ERROR, UpstreamFailure.PROTOCOL_ERROR.body());
      }
      return;
    }
    int code = response.status().code();
    if (code == 101 && exchange.upgradeRequested() && WebSocketUpgrade.accepted(response)) {
      switchProtocols(response);
      return;
    }
    if (code < 200) {
      // informational (100 Continue after all): not forwarded; its empty body follows
      skipInformational = true;
      return;
    }
    responseStarted = true;
    status = code;
    if (rt.pool.http2()) {
      Http2Requests.removeExtensionHeaders(response.headers());
    }
    for (Map.Entry<String, String> h : exchange.clientHeadersOnAllow()) {
      response.headers().add(h.getKey(), h.getValue());
    }
    framing = downstream.frame(response, head, exchange.requestComplete());
    ctx.write(response);
  }

  /**
   * The upstream accepted the WebSocket upgrade: the 101 goes to the client and the two connections
   * become a tunnel. The exchange ends here (logged as 101); the upstream connection is never
   * pooled again.
   */
  private void switchProtocols(HttpResponse response) {
    cancelTimeout();
    responseStarted = true;
    status = 101;
    WebSocketUpgrade.frame(response);
    ctx.write(response);
    ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
    state = State.DONE;
    Channel up = upstream;
    handler.detach();
    upstream = null;
    exchange.switchedProtocols(up);
  }

  private void onResponseComplete() {
    cancelTimeout();
    state = State.DONE;
    Channel up = upstream;
    handler.detach();
    upstream = null;
    if (exchange.requestComplete() && framing.upstreamKeepAlive() && up.isActive()) {
      up.config().setAutoRead(true);
      rt.pool.release(up);
    } else {
      up.close();
    }
    exchange.responseComplete(status, framing.closeClient());
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
    if (state != State.FORWARDING) {
      return;
    }
    upstream = null;
    cancelTimeout();
    if (!responseStarted) {
      if (reused && !retried && exchange.requestComplete() && bodyBytesSent == 0) {
        // a pooled connection the upstream had already closed: nothing was processed, so
        // sending the request again on a fresh connection is safe
        retried = true;
        state = State.CONNECTING;
        rt.pool.acquire(ctx.channel().eventLoop(), false, this);
        return;
      }
      state = State.DONE;
      exchange.upstreamFailed(
          UpstreamFailure.CONNECTION_TERMINATION, UpstreamFailure.CONNECTION_TERMINATION.body());
    } else {
      state = State.DONE;
      rt.metrics.upstreamFailure(UpstreamFailure.CONNECTION_TERMINATION.name());
      exchange.endAbruptly(status, UpstreamFailure.CONNECTION_TERMINATION);
    }
  }

  /** Ends the call: no timeout, the upstream connection (or stream) closed, never pooled. */
  void abort() {
    state = State.DONE;
    cancelTimeout();
    if (upstream != null) {
      handler.detach();
      upstream.close();
      upstream = null;
    }
  }
}
