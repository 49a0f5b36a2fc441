package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** gRPC recognised and answered as Envoy does (`Grpc::Common`, `Grpc::Utility`). */
class GrpcTest {
  private static HttpRequest withType(String type) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/s/m");
    if (type != null) {
      r.headers().set("content-type", type);
    }
    return r;
  }

  @Test
  void recognisesGrpcContentTypes() {
    assertThat(Grpc.isGrpc(withType("application/grpc"))).isTrue();
    assertThat(Grpc.isGrpc(withType("application/grpc+proto"))).isTrue();
    assertThat(Grpc.isGrpc(withType("application/grpc;charset=utf-8"))).isTrue();
    assertThat(Grpc.isGrpc(withType("Application/GRPC"))).isTrue();
    assertThat(Grpc.isGrpc(withType("application/grpc-web"))).isFalse();
    assertThat(Grpc.isGrpc(withType("application/grpcx"))).isFalse();
    assertThat(Grpc.isGrpc(withType("application/json"))).isFalse();
    assertThat(Grpc.isGrpc(withType(null))).isFalse();
  }

  @Test
  void httpStatusMapsAsEnvoysHttpToGrpcStatus() {
    assertThat(Grpc.statusOf(400)).isEqualTo(13);
    assertThat(Grpc.statusOf(401)).isEqualTo(16);
    assertThat(Grpc.statusOf(403)).isEqualTo(7);
    assertThat(Grpc.statusOf(404)).isEqualTo(12);
    assertThat(Grpc.statusOf(429)).isEqualTo(14);
    assertThat(Grpc.statusOf(502)).isEqualTo(14);
    assertThat(Grpc.statusOf(503)).isEqualTo(14);
    assertThat(Grpc.statusOf(504)).isEqualTo(14);
    assertThat(Grpc.statusOf(500)).isEqualTo(2);
    assertThat(Grpc.statusOf(431)).isEqualTo(2);
  }

  @Test
  void grpcMessageIsPercentEncoded() {
    assertThat(Grpc.percentEncode("RBAC: access denied")).isEqualTo("RBAC: access denied");
    assertThat(Grpc.percentEncode("100% sure")).isEqualTo("100%25 sure");
    assertThat(Grpc.percentEncode("line\nbreak")).isEqualTo("line%0Abreak");
    assertThat(Grpc.percentEncode("caf\u00e9")).isEqualTo("caf%C3%A9");
  }

  @Test
  void localReplyIsTrailersOnlyShaped() {
    var r =
        LocalReplies.grpc(
            io.netty.buffer.UnpooledByteBufAllocator.DEFAULT,
            401,
            "Jwt is missing",
            java.util.List.of(java.util.Map.entry("www-authenticate", "Bearer realm=\"x\"")),
            false);
    try {
      assertThat(r.status().code()).isEqualTo(200);
      assertThat(r.headers().get("content-type")).isEqualTo("application/grpc");
      assertThat(r.headers().get("grpc-status")).isEqualTo("16");
      assertThat(r.headers().get("grpc-message")).isEqualTo("Jwt is missing");
      assertThat(r.headers().get("www-authenticate")).isEqualTo("Bearer realm=\"x\"");
      assertThat(r.content().readableBytes()).isZero();
    } finally {
      r.release();
    }
  }
}
