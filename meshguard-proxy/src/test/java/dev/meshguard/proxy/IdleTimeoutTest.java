package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The idle timeout fires after a quiet period, and reads or flushes push it back. */
class IdleTimeoutTest {
  private final MockTicker clock = Ticker.newMockTicker();
  private final Events events = new Events();

  private static final class Events extends ChannelInboundHandlerAdapter {
    final List<Object> seen = new ArrayList<>();

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      seen.add(evt);
    }
  }

  private EmbeddedChannel channel(long timeoutMillis) {
    return EmbeddedChannel.builder()
        .ticker(clock)
        .handlers(new IdleTimeout(timeoutMillis), events)
        .build();
  }

  private void advance(EmbeddedChannel ch, long millis) {
    clock.advanceMillis(millis);
    ch.runScheduledPendingTasks();
  }

  @Test
  void aQuietConnectionIsToldItIsIdleOnceThePeriodHasPassed() {
    EmbeddedChannel ch = channel(50);
    advance(ch, 49);
    assertThat(events.seen).isEmpty();
    advance(ch, 1);
    assertThat(events.seen).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    advance(ch, 49);
    assertThat(events.seen).hasSize(1);
    advance(ch, 1); // told again after another full period, as Netty's handler does
    assertThat(events.seen).hasSize(2);
    ch.finishAndReleaseAll();
  }

  @Test
  void readsAndFlushesKeepTheConnectionAlive() {
    EmbeddedChannel ch = channel(200);
    for (int i = 0; i < 10; i++) {
      advance(ch, 150);
      if (i % 2 == 0) {
        ch.pipeline().fireChannelReadComplete();
      } else {
        ch.flush();
      }
    }
    assertThat(events.seen).isEmpty();
    advance(ch, 199);
    assertThat(events.seen).isEmpty();
    advance(ch, 1);
    assertThat(events.seen).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    ch.finishAndReleaseAll();
  }

  @Test
  void aClosedConnectionIsNotWatchedAnyMore() {
    EmbeddedChannel ch = channel(50);
    ch.close();
    advance(ch, 500);
    assertThat(events.seen).isEmpty();
  }

  @Test
  void aTimeoutOfZeroNeverFires() {
    EmbeddedChannel ch = channel(0);
    advance(ch, 10_000);
    assertThat(events.seen).isEmpty();
    ch.finishAndReleaseAll();
  }
}
