package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.util.concurrent.ListenableFuture;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 through `extauthz`: Check calls for an issuer whose `jwksUri` accepts and never answers,
 * more of them than the server has threads, wait for the keys without a thread while calls that
 * need no fetch are answered at once; a call Envoy gives up on stops waiting.
 */
class ExtAuthzHangingKeysIT {
  private static final long GUARD_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final int HELD = HangingIssuer.HELD;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private static CheckRequest request(String path, String token) {
    HeaderMap.Builder headers =
        HeaderMap.newBuilder()
            .addHeaders(HeaderValue.newBuilder().setKey(":authority").setValue("app"));
    if (token != null) {
      headers.addHeaders(
          HeaderValue.newBuilder().setKey("authorization").setValue("Bearer " + token));
    }
    return CheckRequest.newBuilder()
        .setAttributes(
            AttributeContext.newBuilder()
                .setSource(peer("10.244.0.12", 40312))
                .setDestination(peer("10.244.0.5", 8080))
                .setRequest(
                    AttributeContext.Request.newBuilder()
                        .setHttp(
                            AttributeContext.HttpRequest.newBuilder()
                                .setMethod("GET")
                                .setScheme("http")
                                .setHost("app")
                                .setPath(path)
                                .setProtocol("HTTP/1.1")
                                .setHeaderMap(headers))))
        .build();
  }

  private static AttributeContext.Peer peer(String ip, int port) {
    return AttributeContext.Peer.newBuilder()
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)))
        .build();
  }

  /** Requests waiting for the hanging issuer's keys, from `/config_dump`. */
  private static int waiting(InetSocketAddress admin) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin.getPort() + "/config_dump"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    for (JsonNode source : EchoUpstream.JSON.readTree(r.body()).get("jwks")) {
      if (source.get("issuer").asText().equals(HangingIssuer.HANGING)) {
        return source.get("waiting").asInt();
      }
    }
    throw new AssertionError("no source for " + HangingIssuer.HANGING + " in " + r.body());
  }

  private static void awaitWaiting(InetSocketAddress admin, int n, MeshguardProcess extauthz)
      throws Exception {
    long deadline = System.nanoTime() + GUARD_NANOS;
    int now;
    while ((now = waiting(admin)) != n) {
      assertThat(System.nanoTime())
          .as("%d of %d calls waiting\n%s", now, n, extauthz.transcript())
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static String header(CheckResponse r, String name) {
    return r.getOkResponse().getHeadersList().stream()
        .filter(h -> h.getHeader().getKey().equals(name))
        .map(h -> h.getHeader().getValue())
        .findFirst()
        .orElse(null);
  }

  @Test
  void aHangingKeyEndpointStallsNoOtherCall() throws Exception {
    TestTokens hangingKeys = new TestTokens();
    TestTokens inlineKeys = new TestTokens();
    Path config = dir.resolve("jwt.yaml");
    try (SilentEndpoint idp = new SilentEndpoint()) {
      Files.writeString(config, HangingIssuer.policies(idp.url(), "60s", inlineKeys));
      try (MeshguardProcess extauthz =
          MeshguardProcess.start(
              "extauthz",
              "--config",
              config.toString(),
              "--listen",
              "127.0.0.1:0",
              "--admin",
              "127.0.0.1:0")) {
        InetSocketAddress address = extauthz.listenAddress();
        InetSocketAddress admin = extauthz.adminAddress();
        ManagedChannel channel = NettyChannelBuilder.forAddress(address).usePlaintext().build();
        try {
          idp.awaitConnections(1);
          AuthorizationGrpc.AuthorizationFutureStub async =
              AuthorizationGrpc.newFutureStub(channel);
          List<ListenableFuture<CheckResponse>> held = new ArrayList<>();
          for (int i = 0; i < HELD; i++) {
            String token = HangingIssuer.token(hangingKeys, HangingIssuer.HANGING, "held-" + i);
            held.add(
                async
                    .withDeadlineAfter(60, TimeUnit.SECONDS) // a hang guard
                    .check(request("/api/held/" + i, token)));
          }
          // one more, whose caller gives up as Envoy does at its own timeout
          ListenableFuture<CheckResponse> abandoned =
              async
                  .withDeadlineAfter(1, TimeUnit.SECONDS)
                  .check(
                      request(
                          "/api/abandoned",
                          HangingIssuer.token(hangingKeys, HangingIssuer.HANGING, "gone")));
          assertThatThrownBy(() -> abandoned.get(60, TimeUnit.SECONDS))
              .isInstanceOf(ExecutionException.class)
              .cause()
              .isInstanceOfSatisfying(
                  StatusRuntimeException.class,
                  e ->
                      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
          awaitWaiting(admin, HELD, extauthz); // the abandoned call no longer waits

          // while every one of them waits, and the one fetch hangs:
          AuthorizationGrpc.AuthorizationBlockingStub client =
              AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
          CheckResponse open = client.check(request("/open/page", null));
          assertThat(open.getStatus().getCode()).isEqualTo(Status.Code.OK.value());
          CheckResponse inline =
              AuthorizationGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(30, TimeUnit.SECONDS)
                  .check(
                      request(
                          "/api/x", HangingIssuer.token(inlineKeys, HangingIssuer.INLINE, "bob")));
          assertThat(inline.getStatus().getCode()).isEqualTo(Status.Code.OK.value());
          assertThat(header(inline, "x-jwt-sub")).isEqualTo("bob");
          CheckResponse noToken =
              AuthorizationGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(30, TimeUnit.SECONDS)
                  .check(request("/api/x", null));
          assertThat(noToken.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);

          assertThat(waiting(admin)).as("still held").isEqualTo(HELD);
          assertThat(held).noneMatch(f -> f.isDone());
          assertThat(idp.connections()).as("the waiting calls share one fetch").isEqualTo(1);

          idp.release(); // the fetch fails: every waiting call gets Envoy's answer for it
          for (int i = 0; i < HELD; i++) {
            String realm =
                "Bearer realm=\"http://app/api/held/" + i + "\", error=\"invalid_token\"";
            CheckResponse r = held.get(i).get(60, TimeUnit.SECONDS);
            assertThat(r.getStatus().getCode())
                .as("held call %d: %s", i, r)
                .isEqualTo(Status.Code.UNAUTHENTICATED.value());
            assertThat(r.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
            assertThat(r.getDeniedResponse().getBody()).isEqualTo(HangingIssuer.FETCH_FAILED);
            assertThat(r.getDeniedResponse().getHeadersList())
                .anySatisfy(h -> assertThat(h.getHeader().getValue()).isEqualTo(realm));
          }
          assertThat(waiting(admin)).isZero();
        } finally {
          channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        assertThat(extauthz.terminate()).isZero();
      }
    }
  }
}
