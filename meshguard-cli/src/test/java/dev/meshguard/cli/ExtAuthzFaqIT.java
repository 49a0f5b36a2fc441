package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FAQ's ingress-gateway scenario through the real `meshguard extauthz` process, called over a
 * socket by a real gRPC client as Envoy's ext_authz filter calls it.
 */
class ExtAuthzFaqIT {
  @TempDir static Path dir;
  private static Path policies;
  private static MeshguardProcess extauthz;
  private static ManagedChannel channel;
  private static AuthorizationGrpc.AuthorizationBlockingStub client;
  private static final String TOKEN = DemoCommand.resource(DemoCommand.TOKEN).trim();

  @BeforeAll
  static void start() throws Exception {
    policies = dir.resolve("ingress-policies.yaml");
    Files.writeString(policies, DemoCommand.resource(DemoCommand.POLICIES));
    extauthz =
        MeshguardProcess.start(
            "extauthz",
            "--config",
            policies.toString(),
            "--namespace",
            "istio-system",
            "--labels",
            "app=istio-ingressgateway",
            "--listen",
            "127.0.0.1:0");
    InetSocketAddress address = extauthz.listenAddress();
    assertThat(extauthz.stdout.get(0)).startsWith("meshguard extauthz: listening on grpc://");
    channel = NettyChannelBuilder.forAddress(address).usePlaintext().build();
    client = AuthorizationGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (extauthz != null) {
      assertThat(extauthz.terminate()).isZero();
    }
  }

  private static CheckResponse check(String path, String token) {
    HeaderMap.Builder headers =
        HeaderMap.newBuilder()
            .addHeaders(HeaderValue.newBuilder().setKey(":authority").setValue("bookinfo"))
            .addHeaders(HeaderValue.newBuilder().setKey("user-agent").setValue("curl/8"));
    if (token != null) {
      headers.addHeaders(
          HeaderValue.newBuilder().setKey("authorization").setValue("Bearer " + token));
    }
    CheckRequest request =
        CheckRequest.newBuilder()
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
                                    .setHost("bookinfo")
                                    .setPath(path)
                                    .setProtocol("HTTP/1.1")
                                    .setHeaderMap(headers))))
            .build();
    return client.withDeadlineAfter(30, TimeUnit.SECONDS).check(request);
  }

  private static AttributeContext.Peer peer(String ip, int port) {
    return AttributeContext.Peer.newBuilder()
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)))
        .build();
  }

  @Test
  void theFaqScenario() {
    CheckResponse open = check("/productpage", null);
    assertThat(open.getStatus().getCode()).isEqualTo(Status.Code.OK.value());
    assertThat(open.getOkResponse().getHeadersToRemoveList()).isEmpty();

    CheckResponse denied = check("/api/v1/products/0", null);
    assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED.value());
    assertThat(denied.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    assertThat(denied.getDeniedResponse().getBody()).isEqualTo("RBAC: access denied");
    assertThat(
            denied
                .getDynamicMetadata()
                .getFieldsOrThrow("meshguard")
                .getStructValue()
                .getFieldsOrThrow("policy")
                .getStringValue())
        .isEqualTo("istio-system/test-exclude");

    CheckResponse withToken = check("/api/v1/products/0", TOKEN);
    assertThat(withToken.getStatus().getCode()).isEqualTo(Status.Code.OK.value());
    assertThat(withToken.getOkResponse().getHeadersToRemoveList()).contains("authorization");
    assertThat(check("/productpage", TOKEN).getStatus().getCode())
        .isEqualTo(Status.Code.OK.value());

    CheckResponse tampered = check("/api/v1/products/0", TestTokens.tamper(TOKEN));
    assertThat(tampered.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED.value());
    assertThat(tampered.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
    assertThat(tampered.getDeniedResponse().getBody()).isEqualTo("Jwt verification fails");
    assertThat(tampered.getDeniedResponse().getHeadersList())
        .anySatisfy(
            h -> {
              assertThat(h.getHeader().getKey()).isEqualTo("www-authenticate");
              assertThat(h.getHeader().getValue())
                  .isEqualTo(
                      "Bearer realm=\"http://bookinfo/api/v1/products/0\","
                          + " error=\"invalid_token\"");
            });
  }

  @Test
  void refusesToStartOnConfigurationErrors() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: broken
          namespace: default
        spec:
          action: DENY
          rules:
          - to:
            - operation:
                paths: ["no-leading-slash"]
                bogusField: 1
        """);
    try (MeshguardProcess p =
        MeshguardProcess.start("extauthz", "--config", bad.toString(), "--listen", "127.0.0.1:0")) {
      assertThat(p.awaitExit()).isEqualTo(2);
      assertThat(String.join("\n", p.stderr))
          .contains(bad.toString() + ":0:")
          .contains("meshguard extauthz: configuration has errors; not starting");
      assertThat(p.stdout).noneMatch(l -> l.contains("listening"));
    }
  }
}
