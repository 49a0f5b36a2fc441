package dev.meshguard.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fires {@link IdleStateEvent#ALL_IDLE_STATE_EVENT} once a connection has neither read nor flushed
 * anything for the timeout, as Netty's {@code IdleStateHandler(0, 0, t)} does, but without wrapping
 * every write in a promise and a listener: activity is noted when a read batch ends and on each
 * flush, which is a clock read per batch instead of two objects per message on the proxy's hot
 * path. The event goes down the pipeline like Netty's, so handlers react to either. A timeout of
 * zero or less never fires.
 */
final class IdleTimeout extends ChannelDuplexHandler {
  private final long timeoutNanos;
  private Ticker ticker = Ticker.systemTicker();
  private long lastActivity;
  private ScheduledFuture<?> check;

  IdleTimeout(long timeoutMillis) {
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
      start(ctx);
    }
  }

  @Override
  public void channelRegistered(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
    ctx.fireChannelRegistered();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  private void start(ChannelHandlerContext ctx) {
    if (check != null || timeoutNanos <= 0) {
      return;
    }
    ticker = ctx.executor().ticker();
    lastActivity = ticker.nanoTime();
    check = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void expire(ChannelHandlerContext ctx) {
    if (!ctx.channel().isOpen()) {
      return;
    }
    long quiet = ticker.nanoTime() - lastActivity;
    if (quiet >= timeoutNanos) {
      ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
      // a handler that keeps the connection open is told again after another full period
      lastActivity = ticker.nanoTime();
      quiet = 0;
    }
    check = ctx.executor().schedule(() -> expire(ctx), timeoutNanos - quiet, TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    lastActivity = ticker.nanoTime();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    lastActivity = ticker.nanoTime();
    ctx.flush();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  private void stop() {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }
}
