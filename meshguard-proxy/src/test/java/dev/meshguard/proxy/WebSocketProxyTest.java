package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meshguard.proxy.testing.TestWebSocketUpstream;
import dev.meshguard.proxy.testing.WebSocketMessages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** WebSocket through the proxy: the upgrade is decided like any request, then tunnelled. */
class WebSocketProxyTest {
  private static TestWebSocketUpstream upstream;
  private static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestWebSocketUpstream();
    proxy = new ProxyHarness(UpstreamTarget.parse(upstream.url()));
  }

  @AfterAll
  static void stop() {
    proxy.close();
    upstream.close();
  }

  private static WebSocket open(String path, WebSocketMessages c) throws Exception {
    return HttpClient.newHttpClient()
        .newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + proxy.address().getPort() + path), c)
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void allowedUpgradeIsTunnelledBothWays() throws Exception {
    upstream.handshakes.clear();
    WebSocketMessages c = new WebSocketMessages();
    WebSocket ws = open("/chat?room=1", c);
    Map<String, String> handshake = upstream.handshakes.poll(5, TimeUnit.SECONDS);
    assertThat(handshake).containsEntry(":uri", "/chat?room=1");
    assertThat(handshake.get("upgrade")).isEqualToIgnoringCase("websocket");
    assertThat(handshake).containsKey("x-forwarded-for");
    for (int i = 0; i < 20; i++) {
      ws.sendText("m" + i, true).get(5, TimeUnit.SECONDS);
      assertThat(c.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("echo:m" + i);
    }
    ws.sendBinary(ByteBuffer.wrap(new byte[200_000]), true).get(5, TimeUnit.SECONDS);
    assertThat(c.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("binary:200000");
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    AccessLogEntry logged;
    do {
      logged = proxy.log.poll(5, TimeUnit.SECONDS);
    } while (logged != null && !logged.path().startsWith("/chat"));
    assertThat(logged.status()).isEqualTo(101);
  }

  @Test
  void deniedUpgradeGetsTheNormalDenial() {
    Throwable forbidden = catchThrowable(() -> open("/deny", new WebSocketMessages()));
    assertThat(forbidden).isInstanceOf(ExecutionException.class);
    assertThat(forbidden.getCause()).isInstanceOf(WebSocketHandshakeException.class);
    assertThat(((WebSocketHandshakeException) forbidden.getCause()).getResponse().statusCode())
        .isEqualTo(403);
    Throwable unauthenticated = catchThrowable(() -> open("/jwt", new WebSocketMessages()));
    assertThat(
            ((WebSocketHandshakeException) unauthenticated.getCause()).getResponse().statusCode())
        .isEqualTo(401);
  }
}
