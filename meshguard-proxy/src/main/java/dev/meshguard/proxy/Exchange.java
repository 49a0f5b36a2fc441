package dev.meshguard.proxy;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.runtime.custom.ProviderCall;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One request and its response, whatever protocol the client spoke (Envoy's active stream): prepare
 * and decide, answer locally, or hand the request to an {@link UpstreamCall}; log it once. The
 * client side is a {@link Downstream} (an HTTP/1.1 connection or an HTTP/2 stream) that hands over
 * the request as {@code HttpObject}s; everything here runs on its event loop.
 */
// Channel futures are not checked one by one: write failures surface as exceptionCaught and
// channelInactive, which end the exchange.
@SuppressWarnings("FutureReturnValueIgnored")
final class Exchange {
  static final String MALFORMED = "MALFORMED";

  enum Phase {
    DECIDING,
    UPSTREAM,
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
  private UpstreamCall call;

  /** Non-null only while a CUSTOM provider wants this request's body (a rare, slower path). */
  private CheckBodyBuffer checkBody;

  private boolean continueSent;

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
    return phase == Phase.UPSTREAM
        ? call.wantsBody()
        : phase == Phase.DECIDING && checkBody != null && checkBody.collecting();
  }

  /** End of a read burst from the client: what was written upstream goes out. */
  void flushUpstream() {
    if (call != null) {
      call.flush();
    }
  }

  /** The upstream is read only while the client can take more. */
  void clientWritabilityChanged(boolean writable) {
    if (call != null) {
      call.clientWritable(writable);
    }
  }

  /** Body parts that arrived before the upstream call was forwarding, oldest first. */
  HttpContent pollBuffered() {
    return buffered.poll();
  }

  /** The request asked for a WebSocket upgrade (HTTP/1.1 only). */
  boolean upgradeRequested() {
    return !downstream.http2() && WebSocketUpgrade.isUpgrade(request.headers());
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
    checkBody =
        CheckBodyBuffer.forRequest(
            snapshot,
            check,
            request,
            requestChunked,
            requestComplete,
            downstream.http2(),
            upgradeRequested());
    // On this loop, but after the current read is drained: a request's end usually arrives with
    // its headers, and a local reply must know whether the body was complete.
    ctx.channel().eventLoop().execute(this::decideOrCollect);
  }

  /** Decides now, unless the check must wait for the body a CUSTOM provider wants. */
  private void decideOrCollect() {
    if (phase != Phase.DECIDING || deciding != null) {
      return;
    }
    if (checkBody != null && checkBody.collecting()) {
      if (expectContinue && !continueSent) {
        // the client waits for this before sending the body the check needs (Envoy's connection
        // manager answers `Expect` itself)
        continueSent = true;
        ctx.writeAndFlush(
            new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
      }
      downstream.readinessChanged();
      return; // onRequestContent decides once the body is there
    }
    decide();
  }

  /** A decision that waits for a key fetch or a provider is completed back on this loop. */
  private void decide() {
    CheckRequest check = prepared.check();
    EventLoop loop = ctx.channel().eventLoop();
    ProviderCall.RequestBody body = checkBody == null ? null : checkBody.body();
    CompletableFuture<Decision> decided;
    try {
      decided =
          body == null
              ? rt.decider.decideAsync(snapshot, check, loop)
              : rt.decider.decideAsync(snapshot, check, loop, body);
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
  }

  void onRequestContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (content.decoderResult().isFailure()) {
      ReferenceCountUtil.release(content);
      requestComplete = true;
      downstream.closeAfterExchange();
      if (phase != Phase.DONE && (call == null || !call.responseStarted())) {
        reject(400, "Bad Request", MALFORMED, "malformed request body");
      } else {
        ctx.close();
      }
      return;
    }
    if (last && !keepTrailers) {
      Trailers.drop(content);
    }
    boolean forwarding = phase == Phase.UPSTREAM && call.forwarding();
    if (forwarding) {
      call.write(content);
    } else if (phase != Phase.DONE) {
      buffered.add(content);
    } else {
      ReferenceCountUtil.release(content);
    }
    if (last) {
      requestComplete = true;
      if (forwarding) {
        call.requestEnded();
      }
    }
    if (checkBody != null && phase == Phase.DECIDING && checkBody.collecting()) {
      collectForCheck(content, last);
    }
  }

  /** A body part the check waits for: decide once enough arrived; 413 when it is too long. */
  private void collectForCheck(HttpContent content, boolean last) {
    CheckBodyBuffer.State state = checkBody.add(content, last);
    if (state == CheckBodyBuffer.State.TOO_LARGE) {
      sendLocal(
          413,
          CheckBodyBuffer.TOO_LARGE_BODY,
          List.of(),
          "PAYLOAD_TOO_LARGE",
          "request body above maxRequestBytes of ext_authz provider `"
              + checkBody.providerName()
              + "`",
          null);
    } else if (state == CheckBodyBuffer.State.READY) {
      decideOrCollect();
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
      upstreamFailed(UpstreamFailure.INVALID_REQUEST, unsendable);
      return;
    }
    if (grpc && rt.pool.http2()) {
      // removed with the other hop-by-hop headers; gRPC servers expect it (Envoy keeps it)
      request.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
    phase = Phase.UPSTREAM;
    call =
        new UpstreamCall(
            this, rt, downstream, request, head, expectContinue && !continueSent, keepTrailers);
    call.start();
  }

  /** The upstream could not be asked or gave no response: a local reply (503, 504...). */
  void upstreamFailed(UpstreamFailure failure, String body) {
    rt.metrics.upstreamFailure(failure.name());
    respond(failure.status(), body, List.of(), failure);
  }

  /**
   * A bug on the way to the upstream must still end the exchange: a local reply while nothing was
   * answered, a closed client side otherwise. Never a client left waiting.
   */
  void onUnexpected(RuntimeException e) {
    if (phase == Phase.DONE) {
      return;
    }
    // a bug, so say so; the exception names no header value (those may be tokens)
    System.err.println("meshguard: internal error on the way upstream: " + e.getClass().getName());
    boolean started = call != null && call.responseStarted();
    int status = call == null ? 0 : call.status();
    abortUpstream();
    if (!started) {
      upstreamFailed(UpstreamFailure.INVALID_REQUEST, "upstream request could not be sent");
    } else {
      endAbruptly(status, UpstreamFailure.INVALID_REQUEST);
    }
  }

  /** A response that started cannot be finished: log it and close (or reset) the client side. */
  void endAbruptly(int upstreamStatus, UpstreamFailure failure) {
    log(upstreamStatus, upstreamStatus, failure);
    phase = Phase.DONE;
    ctx.close();
  }

  /** The upstream's response was relayed whole. */
  void responseComplete(int upstreamStatus, boolean closeClient) {
    phase = Phase.DONE;
    log(upstreamStatus, upstreamStatus, null);
    if (closeClient) {
      downstream.closeAfterExchange();
    }
    ctx.flush();
    downstream.exchangeDone(this);
  }

  /**
   * The upstream switched to WebSocket and the 101 was written: the connections become a tunnel.
   */
  void switchedProtocols(Channel upstream) {
    phase = Phase.DONE;
    log(101, 101, null);
    ctx.flush();
    if (!downstream.tunnel(upstream)) {
      upstream.close();
      ctx.close();
    }
  }

  private void abortUpstream() {
    if (call != null) {
      call.abort();
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
    record(status, o, reason, null, failure);
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
    boolean wasDone = phase == Phase.DONE;
    // first: cancelling a decision that waits for keys completes it at once, and that decision
    // must find the exchange over
    phase = Phase.DONE;
    stopDeciding();
    releaseBuffered();
    abortUpstream();
    if (!wasDone) {
      log(0, call == null ? 0 : call.status(), null);
    }
  }

  /** An exchange that reached the upstream (or tried to): {@code upstreamStatus} 0 for none. */
  private void log(int status, int upstreamStatus, UpstreamFailure failure) {
    record(status, outcomeName(), null, upstreamStatus == 0 ? null : upstreamStatus, failure);
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

  /**
   * Headers for the client on an allowed request's upstream response: an allowing ext_authz
   * provider's (Envoy: `response_headers_to_add`).
   */
  List<Map.Entry<String, String>> clientHeadersOnAllow() {
    return decision == null ? List.of() : decision.responseHeaders();
  }

  private String outcomeName() {
    return decision != null ? decision.outcome().name() : "ERROR";
  }
}
