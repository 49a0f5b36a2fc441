package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.ExtAuthzProvider;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What Envoy's ext_authz filter buffers for a check (`with_request_body`), part by part. */
class CheckBodyBufferTest {
  private static CheckBodyBuffer buffer(int max, boolean partial) {
    return new CheckBodyBuffer("p", new ExtAuthzProvider.RequestBody(max, partial, false));
  }

  private static HttpContent part(String s) {
    return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
  }

  private static HttpContent last(String s) {
    return new DefaultLastHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
  }

  private static String text(CheckBodyBuffer b) {
    return new String(b.body().bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void aBodyWithinTheLimitIsReadyAtItsEndWhole() {
    CheckBodyBuffer b = buffer(10, false);
    HttpContent first = part("hello ");
    assertThat(b.add(first, false)).isEqualTo(CheckBodyBuffer.State.COLLECTING);
    // the part itself is left as it was: it still goes upstream
    assertThat(first.content().readableBytes()).isEqualTo(6);
    assertThat(b.add(last("body"), true)).isEqualTo(CheckBodyBuffer.State.READY);
    assertThat(text(b)).isEqualTo("hello body");
    assertThat(b.body().partial()).isFalse();
  }

  @Test
  void oneByteAboveTheLimitIsTooLargeWithoutAllowPartialMessage() {
    CheckBodyBuffer exact = buffer(4, false);
    assertThat(exact.add(last("abcd"), true)).isEqualTo(CheckBodyBuffer.State.READY);
    CheckBodyBuffer over = buffer(4, false);
    assertThat(over.add(part("abc"), false)).isEqualTo(CheckBodyBuffer.State.COLLECTING);
    assertThat(over.add(part("de"), false)).isEqualTo(CheckBodyBuffer.State.TOO_LARGE);
    assertThat(over.add(last(""), true)).isEqualTo(CheckBodyBuffer.State.TOO_LARGE);
  }

  @Test
  void withAllowPartialMessageTheFirstBytesAreReadyOnceTheLimitIsReached() {
    CheckBodyBuffer b = buffer(4, true);
    assertThat(b.add(part("ab"), false)).isEqualTo(CheckBodyBuffer.State.COLLECTING);
    assertThat(b.add(part("cdef"), false)).isEqualTo(CheckBodyBuffer.State.READY);
    assertThat(text(b)).isEqualTo("abcd");
    assertThat(b.body().partial()).isTrue();
    // exactly the limit, and more may follow: not partial, as Envoy says of a buffer that is full
    CheckBodyBuffer full = buffer(4, true);
    assertThat(full.add(part("abcd"), false)).isEqualTo(CheckBodyBuffer.State.READY);
    assertThat(full.body().partial()).isFalse();
  }

  @Test
  void anEmptyBodyIsReadyAndEmpty() {
    CheckBodyBuffer b = buffer(8, false);
    assertThat(b.add(last(""), true)).isEqualTo(CheckBodyBuffer.State.READY);
    assertThat(b.body().bytes()).isEmpty();
    assertThat(b.body().partial()).isFalse();
  }
}
