package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.proxy.h2.RawH2;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Envoy's HTTP/2 protections on the listener, each provoked with raw frames: rapid reset
 * (CVE-2023-44487), CONTINUATION flood, header-list size, concurrent streams, SETTINGS and PING
 * floods.
 */
class Http2ProtectionsTest {
  private static final int ENHANCE_YOUR_CALM = 0xb;
  private static final int REFUSED_STREAM = 0x7;
  private static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
  private static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;

  private static TestUpstream upstream;
  private static ProxyHarness proxy;
  private static final java.util.concurrent.CountDownLatch release =
      new java.util.concurrent.CountDownLatch(1);

  @BeforeAll
  static void start() throws IOException {
    upstream = new TestUpstream();
    upstream.handle(
        "/slow",
        exchange -> {
          // answers only when the test is over: keeps its stream open
          try {
            release.await(20, java.util.concurrent.TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          TestUpstream.send(exchange, 200, "late");
        });
    proxy = new ProxyHarness(upstream.target());
  }

  @AfterAll
  static void stop() {
    release.countDown();
    proxy.close();
    upstream.close();
  }

  @Test
  void rapidResetEndsTheConnection() throws Exception {
    try (RawH2 h2 = RawH2.plain(proxy.address())) {
      int stream = 1;
      try {
        for (int i = 0; i < Http2Connections.MAX_RST_PER_WINDOW + 50; i++, stream += 2) {
          h2.headers(stream, RawH2.request("GET", "a", "/r", List.of()), false);
          h2.rst(stream, 0x8); // CANCEL
        }
      } catch (IOException closedWhileWriting) {
        // the server may be gone before the last frames are written
      }
      assertThat(h2.awaitClose()).isEqualTo(ENHANCE_YOUR_CALM);
    }
  }

  @Test
  void resetsBelowTheLimitAreFine() throws Exception {
    try (RawH2 h2 = RawH2.plain(proxy.address())) {
      int stream = 1;
      for (int i = 0; i < 20; i++, stream += 2) {
        h2.headers(stream, RawH2.request("GET", "a", "/r", List.of()), false);
        h2.rst(stream, 0x8);
      }
      h2.headers(stream, RawH2.request("GET", "a", "/after", List.of()), true);
      assertThat(h2.await(stream).status()).isEqualTo(200);
    }
  }

  @Test
  void continuationFloodEndsTheConnection() throws Exception {
    try (RawH2 h2 = RawH2.plain(proxy.address())) {
      byte[] block = h2.encode(RawH2.request("GET", "a", "/c", List.of()));
      h2.frame(RawH2.HEADERS, 0, 1, block);
      try {
        for (int i = 0; i < 10_000; i++) {
          h2.frame(RawH2.CONTINUATION, 0, 1, new byte[0]);
        }
      } catch (IOException closedWhileWriting) {
        // expected once the server gave up
      }
      assertThat(h2.awaitClose()).isEqualTo(ENHANCE_YOUR_CALM);
    }
  }

  @Test
  void headerListOverTheLimitIsRefusedAndTheConnectionGoesOn() throws Exception {
    try (RawH2 h2 = RawH2.plain(proxy.address())) {
      Map<Integer, Long> settings = h2.serverSettings();
      long limit = settings.get(SETTINGS_MAX_HEADER_LIST_SIZE);
      assertThat(limit).isEqualTo(proxy.proxy.options().maxRequestHeaderBytes());
      String big = "x".repeat((int) limit + 1024);
      h2.headers(1, RawH2.request("GET", "a", "/big", List.of(Map.entry("x-big", big))), true);
      RawH2.Response refused = h2.await(1);
      assertThat(refused.status()).isEqualTo(431);
      h2.headers(3, RawH2.request("GET", "a", "/small", List.of()), true);
      assertThat(h2.await(3).status()).isEqualTo(200);
    }
  }

  @Test
  void streamsBeyondTheConcurrencyLimitAreRefused() throws Exception {
    try (RawH2 h2 = RawH2.plain(proxy.address())) {
      Map<Integer, Long> settings = h2.serverSettings();
      assertThat(settings.get(SETTINGS_MAX_CONCURRENT_STREAMS))
          .isEqualTo(Http2Connections.MAX_CONCURRENT_STREAMS);
      int stream = 1;
      for (int i = 0; i < Http2Connections.MAX_CONCURRENT_STREAMS; i++, stream += 2) {
        h2.headers(stream, RawH2.request("GET", "a", "/slow", List.of()), true);
      }
      h2.headers(stream, RawH2.request("GET", "a", "/one-too-many", List.of()), true);
      RawH2.Response refused = h2.await(stream);
      assertThat(refused.reset()).isEqualTo(REFUSED_STREAM);
    } finally {
      release.countDown();
    }
  }

  @Test
  void pingFloodFromAClientThatDoesNotReadEndsTheConnection() throws Exception {
    try (RawH2 h2 = RawH2.plainSlowReader(proxy.address())) {
      byte[] ping = new byte[8];
      boolean writeFailed = false;
      try {
        for (int i = 0; i < 1_000_000; i++) {
          h2.frame(RawH2.PING, 0, 0, ping);
        }
      } catch (IOException closed) {
        writeFailed = true;
      }
      assertThat(writeFailed).as("the server closed the connection during the flood").isTrue();
    }
  }

  @Test
  void settingsFloodFromAClientThatDoesNotReadEndsTheConnection() throws Exception {
    try (RawH2 h2 = RawH2.plainSlowReader(proxy.address())) {
      boolean writeFailed = false;
      try {
        for (int i = 0; i < 1_000_000; i++) {
          h2.frame(RawH2.SETTINGS, 0, 0, new byte[0]);
        }
      } catch (IOException closed) {
        writeFailed = true;
      }
      assertThat(writeFailed).as("the server closed the connection during the flood").isTrue();
    }
  }

  @Test
  void pingsFromAClientThatReadsAreAnswered() throws Exception {
    try (RawH2 h2 = RawH2.plain(proxy.address())) {
      for (int i = 0; i < 200; i++) {
        h2.frame(RawH2.PING, 0, 0, new byte[8]);
        RawH2.Frame f;
        do {
          f = h2.read();
        } while (f != null && f.type() != RawH2.PING);
        assertThat(f).as("ping %d answered", i).isNotNull();
        assertThat(f.has(RawH2.ACK)).isTrue();
      }
    }
  }
}
