package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meshguard.proxy.testing.TestWebSocketUpstream;
import dev.meshguard.proxy.testing.WebSocketMessages;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket through the real jar: the upgrade is decided like any request (the token in the
 * `access_token` parameter or the `Authorization` header), then both connections are one tunnel; a
 * denied upgrade gets the normal 401 or 403.
 */
class ServeWebSocketIT {
  private static final TestTokens TOKENS = new TestTokens();

  @TempDir static Path dir;
  private static TestWebSocketUpstream upstream;
  private static MeshguardProcess serve;
  private static InetSocketAddress proxy;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestWebSocketUpstream();
    Path config = dir.resolve("policy.yaml");
    Files.writeString(
        config,
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: jwt
          namespace: ws
        spec:
          jwtRules:
          - issuer: %s
            jwks: '%s'
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: members
          namespace: ws
        spec:
          action: ALLOW
          rules:
          - from:
            - source:
                requestPrincipals: ["*"]
            to:
            - operation:
                paths: ["/chat"]
        """
            .formatted(TestTokens.ISSUER, TOKENS.jwks()));
    serve =
        MeshguardProcess.start(
            "serve",
            "--config",
            config.toString(),
            "--namespace",
            "ws",
            "--upstream",
            upstream.url(),
            "--listen",
            "127.0.0.1:0",
            "--access-log",
            "off");
    proxy = serve.listenAddress();
  }

  @AfterAll
  static void stop() {
    if (serve != null) {
      assertThat(serve.terminate()).isZero();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static WebSocket open(String pathAndQuery, String authorization, WebSocketMessages l)
      throws Exception {
    WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b.buildAsync(URI.create("ws://127.0.0.1:" + proxy.getPort() + pathAndQuery), l)
        .get(20, TimeUnit.SECONDS);
  }

  private static void assertEchoes(WebSocket ws, WebSocketMessages got) throws Exception {
    for (String m : new String[] {"hello", "world"}) {
      ws.sendText(m, true).get(10, TimeUnit.SECONDS);
      assertThat(got.messages.poll(10, TimeUnit.SECONDS)).isEqualTo("echo:" + m);
    }
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
  }

  @Test
  void tokenInTheAccessTokenParameter() throws Exception {
    upstream.handshakes.clear();
    String token = TOKENS.sign(TestTokens.KID, TOKENS.claims().build());
    WebSocketMessages got = new WebSocketMessages();
    WebSocket ws = open("/chat?access_token=" + token, null, got);
    Map<String, String> handshake = upstream.handshakes.poll(10, TimeUnit.SECONDS);
    assertThat(handshake.get("upgrade")).isEqualToIgnoringCase("websocket");
    assertEchoes(ws, got);
  }

  @Test
  void tokenInTheAuthorizationHeader() throws Exception {
    upstream.handshakes.clear();
    String token = TOKENS.sign(TestTokens.KID, TOKENS.claims().build());
    WebSocketMessages got = new WebSocketMessages();
    WebSocket ws = open("/chat", "Bearer " + token, got);
    Map<String, String> handshake = upstream.handshakes.poll(10, TimeUnit.SECONDS);
    // the verified token is not forwarded (forwardOriginalToken defaults to false)
    assertThat(handshake).doesNotContainKey("authorization");
    assertEchoes(ws, got);
  }

  @Test
  void withoutATokenTheUpgradeIsForbidden() {
    upstream.handshakes.clear();
    Throwable t = catchThrowable(() -> open("/chat", null, new WebSocketMessages()));
    assertThat(t.getCause()).isInstanceOf(WebSocketHandshakeException.class);
    assertThat(((WebSocketHandshakeException) t.getCause()).getResponse().statusCode())
        .isEqualTo(403);
    assertThat(upstream.handshakes).isEmpty();
  }

  @Test
  void aBadTokenIsUnauthenticated() {
    upstream.handshakes.clear();
    String bad = TestTokens.tamper(TOKENS.sign(TestTokens.KID, TOKENS.claims().build()));
    Throwable t =
        catchThrowable(() -> open("/chat?access_token=" + bad, null, new WebSocketMessages()));
    assertThat(t.getCause()).isInstanceOf(WebSocketHandshakeException.class);
    assertThat(((WebSocketHandshakeException) t.getCause()).getResponse().statusCode())
        .isEqualTo(401);
    assertThat(upstream.handshakes).isEmpty();
  }
}
