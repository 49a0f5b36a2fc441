package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.proxy.h2.RawH2;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `--idle-timeout` on HTTP/2, as Envoy's `idle_timeout`: only a connection without streams. */
class Http2IdleTest {
  private static TestUpstream upstream;
  private static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    upstream.handle(
        "/quiet",
        exchange -> {
          // a stream that stays quiet for several idle timeouts
          try {
            Thread.sleep(1_500);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          TestUpstream.send(exchange, 200, "late");
        });
    proxy =
        new ProxyHarness(
            upstream.target(), TestDecisions::byPath, b -> b.idleTimeout(Duration.ofMillis(200)));
  }

  @AfterAll
  static void stop() {
    proxy.close();
    upstream.close();
  }

  @Test
  void aConnectionWithoutStreamsIsClosedWhenIdle() throws Exception {
    try (RawH2 h2 = RawH2.plain(proxy.address())) {
      h2.serverSettings();
      assertThat(h2.awaitClose()).isEqualTo(0); // GOAWAY(NO_ERROR), then the close
    }
  }

  @Test
  void aQuietStreamKeepsItsConnection() throws Exception {
    try (RawH2 h2 = RawH2.plain(proxy.address())) {
      h2.headers(1, RawH2.request("GET", "a", "/quiet", List.of()), true);
      RawH2.Response r = h2.await(1);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.bodyText()).isEqualTo("late");
      // no GOAWAY came meanwhile: the connection takes new streams
      h2.headers(3, RawH2.request("GET", "a", "/next", List.of()), true);
      assertThat(h2.await(3).status()).isEqualTo(200);
    }
  }
}
