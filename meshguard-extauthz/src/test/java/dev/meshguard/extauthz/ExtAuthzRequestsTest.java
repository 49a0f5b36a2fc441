package dev.meshguard.extauthz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExtAuthzRequestsTest {

  @Test
  void mapsEveryAttributeTheEngineUses() {
    io.envoyproxy.envoy.service.auth.v3.CheckRequest envoy =
        io.envoyproxy.envoy.service.auth.v3.CheckRequest.newBuilder()
            .setAttributes(
                AttributeContext.newBuilder()
                    .setSource(
                        EnvoyRequests.peer(
                            "10.1.2.3", 40000, "spiffe://cluster.local/ns/foo/sa/sleep"))
                    .setDestination(EnvoyRequests.peer("10.9.8.7", 9080, null))
                    .setTlsSession(AttributeContext.TLSSession.newBuilder().setSni("svc.example"))
                    .setRequest(
                        AttributeContext.Request.newBuilder()
                            .setHttp(
                                EnvoyRequests.http("POST", "/a/../b?x=%2e")
                                    .setScheme("https")
                                    .setHost("bookinfo:8443")
                                    .putHeaders(":authority", "bookinfo:8443")
                                    .putHeaders(":path", "/a/../b?x=%2e")
                                    .putHeaders("x-user", "alice"))))
            .build();
    CheckRequest check = ExtAuthzRequests.toCheckRequest(envoy, 0);
    assertThat(check.method()).isEqualTo("POST");
    assertThat(check.scheme()).isEqualTo("https");
    assertThat(check.host()).isEqualTo("bookinfo:8443");
    assertThat(check.rawPath()).isEqualTo("/a/../b?x=%2e");
    assertThat(check.sourceIp()).isEqualTo("10.1.2.3");
    assertThat(check.effectiveRemoteIp()).isEqualTo("10.1.2.3");
    assertThat(check.sourcePrincipal()).isEqualTo("cluster.local/ns/foo/sa/sleep");
    assertThat(check.destinationIp()).isEqualTo("10.9.8.7");
    assertThat(check.destinationPort()).isEqualTo(9080);
    assertThat(check.sni()).isEqualTo("svc.example");
    // the host travels in `host`; other pseudo-headers stay, as Envoy's filters see them
    assertThat(check.headers().contains(":authority")).isFalse();
    assertThat(check.headers().joined(":path")).isEqualTo("/a/../b?x=%2e");
    assertThat(check.headers().joined("x-user")).isEqualTo("alice");
  }

  @Test
  void absentOptionalAttributesAreNull() {
    CheckRequest check =
        ExtAuthzRequests.toCheckRequest(
            io.envoyproxy.envoy.service.auth.v3.CheckRequest.newBuilder()
                .setAttributes(
                    AttributeContext.newBuilder()
                        .setRequest(
                            AttributeContext.Request.newBuilder()
                                .setHttp(
                                    AttributeContext.HttpRequest.newBuilder()
                                        .setMethod("GET")
                                        .setPath("/"))))
                .build(),
            0);
    assertThat(check.scheme()).isEqualTo("http");
    assertThat(check.host()).isNull();
    assertThat(check.sourceIp()).isNull();
    assertThat(check.sourcePrincipal()).isNull();
    assertThat(check.destinationIp()).isNull();
    assertThat(check.destinationPort()).isZero();
    assertThat(check.sni()).isNull();
    assertThat(check.headers().entries()).isEmpty();
  }

  @Test
  void headerMapIsPreferredAndKeepsRepetition() {
    // security row 14 (CVE-2021-32777): every value of a repeated header reaches the engine
    AttributeContext.HttpRequest.Builder http =
        EnvoyRequests.withRawHeaders(
            EnvoyRequests.http("GET", "/"),
            List.of(
                Map.entry("x-user", "bob"),
                Map.entry("host", "bookinfo"),
                Map.entry("x-user", "alice")));
    http.putHeaders("x-user", "only-the-map");
    CheckRequest check = ExtAuthzRequests.toCheckRequest(EnvoyRequests.request(http), 0);
    assertThat(check.headers().all("x-user")).containsExactly("bob", "alice");
    assertThat(check.headers().joined("x-user")).isEqualTo("bob,alice");
    assertThat(check.headers().contains("host")).isFalse();
  }

  @Test
  void theJoinedMapGivesTheSameJoinedView() {
    CheckRequest check =
        ExtAuthzRequests.toCheckRequest(
            EnvoyRequests.request(
                EnvoyRequests.withHeaderMap(
                    EnvoyRequests.http("GET", "/"),
                    List.of(Map.entry("x-user", "bob"), Map.entry("x-user", "alice")))),
            0);
    assertThat(check.headers().joined("x-user")).isEqualTo("bob,alice");
  }

  @Test
  void remoteIpFromForwardedForOnlyWithTrustedProxies() {
    io.envoyproxy.envoy.service.auth.v3.CheckRequest envoy =
        EnvoyRequests.request(
            EnvoyRequests.withHeaderMap(
                EnvoyRequests.http("GET", "/"),
                List.of(Map.entry("x-forwarded-for", "203.0.113.9, 198.51.100.1"))));
    assertThat(ExtAuthzRequests.toCheckRequest(envoy, 0).effectiveRemoteIp()).isEqualTo("10.0.0.7");
    assertThat(ExtAuthzRequests.toCheckRequest(envoy, 1).effectiveRemoteIp())
        .isEqualTo("198.51.100.1");
    assertThat(ExtAuthzRequests.toCheckRequest(envoy, 2).effectiveRemoteIp())
        .isEqualTo("203.0.113.9");
    assertThat(ExtAuthzRequests.toCheckRequest(envoy, 3).effectiveRemoteIp()).isEqualTo("10.0.0.7");
  }
}
