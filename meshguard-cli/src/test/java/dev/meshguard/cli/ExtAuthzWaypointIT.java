package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real `extauthz --service httpbin`, called over gRPC as Envoy calls it: the same waypoint
 * attachment and `presence: REQUIRED` answer as `serve`, and the dry-run verdict in
 * `dynamic_metadata.meshguard` and in `meshguard_authz_shadow_total`.
 */
class ExtAuthzWaypointIT {
  private static final TestTokens TOKENS = new TestTokens();

  @TempDir static Path dir;
  private static MeshguardProcess extauthz;
  private static InetSocketAddress admin;
  private static ManagedChannel channel;
  private static AuthorizationGrpc.AuthorizationBlockingStub client;

  @BeforeAll
  static void start() throws Exception {
    Path config = WaypointConfig.write(dir, TOKENS);
    extauthz =
        MeshguardProcess.start(
            "extauthz",
            "--config",
            config.toString(),
            "--namespace",
            WaypointConfig.NAMESPACE,
            "--labels",
            "app=httpbin",
            "--service",
            WaypointConfig.SERVICE,
            "--listen",
            "127.0.0.1:0",
            "--admin",
            "127.0.0.1:0");
    InetSocketAddress address = extauthz.listenAddress();
    admin = extauthz.adminAddress();
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
    HeaderMap.Builder headers = HeaderMap.newBuilder();
    if (token != null) {
      headers.addHeaders(
          HeaderValue.newBuilder().setKey("authorization").setValue("Bearer " + token));
    }
    CheckRequest request =
        CheckRequest.newBuilder()
            .setAttributes(
                AttributeContext.newBuilder()
                    .setRequest(
                        AttributeContext.Request.newBuilder()
                            .setHttp(
                                AttributeContext.HttpRequest.newBuilder()
                                    .setMethod("GET")
                                    .setScheme("http")
                                    .setHost("shop")
                                    .setPath(path)
                                    .setHeaderMap(headers))))
            .build();
    return client.withDeadlineAfter(30, TimeUnit.SECONDS).check(request);
  }

  /** As Envoy sends it without `encode_raw_headers`: the `headers` map, lines joined. */
  private static CheckResponse checkWithHeadersMap(String path, String token) {
    AttributeContext.HttpRequest.Builder http =
        AttributeContext.HttpRequest.newBuilder()
            .setMethod("GET")
            .setScheme("http")
            .setHost("shop")
            .setPath(path)
            .putHeaders(":authority", "shop");
    if (token != null) {
      http.putHeaders("authorization", "Bearer " + token);
    }
    CheckRequest request =
        CheckRequest.newBuilder()
            .setAttributes(
                AttributeContext.newBuilder()
                    .setRequest(AttributeContext.Request.newBuilder().setHttp(http)))
            .build();
    return client.withDeadlineAfter(30, TimeUnit.SECONDS).check(request);
  }

  private static Struct facts(CheckResponse response) {
    return response.getDynamicMetadata().getFieldsOrThrow("meshguard").getStructValue();
  }

  @Test
  void aMissingRequiredTokenIsDeniedWithEnvoysChallenge() {
    CheckResponse denied = check("/headers", null);
    assertThat(denied.getStatus().getCode())
        .as(denied.toString())
        .isEqualTo(Status.Code.UNAUTHENTICATED.value());
    assertThat(denied.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
    assertThat(denied.getDeniedResponse().getBody()).isEqualTo("Jwt is missing");
    assertThat(denied.getDeniedResponse().getHeadersList())
        .extracting(HeaderValueOption::getHeader)
        .containsExactly(
            HeaderValue.newBuilder()
                .setKey("www-authenticate")
                .setValue("Bearer realm=\"http://shop/headers\"")
                .build());
    assertThat(facts(denied).containsFields("shadow_engine_result")).isFalse();
  }

  @Test
  void envoysDefaultHeadersMapIsReadByTheShippedJar() {
    // the jar once lacked the annotation protos the descriptors import: the first use of the
    // `headers` map failed with NoClassDefFoundError and every such call was denied 403
    CheckResponse allowed = checkWithHeadersMap("/headers", TOKENS.valid("alice", Map.of()));
    assertThat(allowed.getStatus().getCode())
        .as(allowed.toString())
        .isEqualTo(Status.Code.OK.value());
    CheckResponse missing = checkWithHeadersMap("/headers", null);
    assertThat(missing.getDeniedResponse().getBody()).isEqualTo("Jwt is missing");
  }

  @Test
  void policiesAttachByTheServiceNotBySelector() {
    String token = TOKENS.valid("alice", Map.of());
    assertThat(check("/headers", token).getStatus().getCode()).isEqualTo(Status.Code.OK.value());
    CheckResponse blocked = check("/blocked", token);
    assertThat(blocked.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    assertThat(facts(blocked).getFieldsOrThrow("policy").getStringValue())
        .isEqualTo("foo/svc-deny-blocked");
  }

  @Test
  void theDryRunVerdictIsInTheMetadataAndTheMetrics() throws Exception {
    CheckResponse allowed = check("/audit-me", TOKENS.valid("alice", Map.of()));
    assertThat(allowed.getStatus().getCode()).isEqualTo(Status.Code.OK.value());
    Struct facts = facts(allowed);
    assertThat(facts.getFieldsOrThrow("shadow_engine_result").getStringValue()).isEqualTo("denied");
    assertThat(facts.getFieldsOrThrow("shadow_effective_policy_id").getStringValue())
        .isEqualTo(WaypointConfig.DRY_RUN_RULE);
    RawHttp.Response metrics =
        RawHttp.exchange(
            admin, "GET /stats/prometheus HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");
    assertThat(metrics.body())
        .contains(
            "meshguard_authz_shadow_total{policy=\""
                + WaypointConfig.DRY_RUN_RULE
                + "\",result=\"denied\"} 1.0");
  }
}
