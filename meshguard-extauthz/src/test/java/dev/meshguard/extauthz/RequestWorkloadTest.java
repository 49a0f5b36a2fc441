package dev.meshguard.extauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshguard.engine.Workload;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestWorkloadTest {
  private static final Workload DEFAULTS = new Workload("istio-system", Map.of("app", "gw"));

  private static CheckRequest request(Map<String, String> extensions, String destination) {
    return CheckRequest.newBuilder()
        .setAttributes(
            AttributeContext.newBuilder()
                .putAllContextExtensions(extensions)
                .setDestination(AttributeContext.Peer.newBuilder().setPrincipal(destination))
                .setRequest(
                    AttributeContext.Request.newBuilder()
                        .setHttp(
                            AttributeContext.HttpRequest.newBuilder()
                                .putHeaders("namespace", "attacker")
                                .putHeaders("labels", "app=attacker"))))
        .build();
  }

  @Test
  void contextExtensionsChooseTheWorkload() {
    RequestWorkload workloads = new RequestWorkload(DEFAULTS, null);
    assertThat(workloads.of(request(Map.of("namespace", "foo", "labels", "app=a,v=1"), "")))
        .isEqualTo(new Workload("foo", Map.of("app", "a", "v", "1")));
  }

  @Test
  void aMissingKeyTakesTheCommandLinesValue() {
    RequestWorkload workloads = new RequestWorkload(DEFAULTS, null);
    assertThat(workloads.of(request(Map.of("namespace", "foo"), "")))
        .isEqualTo(new Workload("foo", Map.of("app", "gw")));
    assertThat(workloads.of(request(Map.of("labels", "app=b"), "")))
        .isEqualTo(new Workload("istio-system", Map.of("app", "b")));
    assertThat(workloads.of(request(Map.of("labels", ""), "")))
        .isEqualTo(new Workload("istio-system", Map.of()));
  }

  @Test
  void withoutExtensionsTheCommandLineDecidesAndHeadersNeverDo() {
    assertThat(new RequestWorkload(DEFAULTS, null).of(request(Map.of(), ""))).isNull();
  }

  @Test
  void theDestinationsIdentityChoosesOnlyWhenConfigured() {
    String spiffe = "spiffe://cluster.local/ns/shop/sa/cart";
    assertThat(new RequestWorkload(DEFAULTS, null).of(request(Map.of(), spiffe))).isNull();
    assertThat(new RequestWorkload(DEFAULTS, "app").of(request(Map.of(), spiffe)))
        .isEqualTo(new Workload("shop", Map.of("app", "cart")));
    assertThat(new RequestWorkload(DEFAULTS, "app").of(request(Map.of("namespace", "x"), spiffe)))
        .as("context_extensions come first")
        .isEqualTo(new Workload("x", Map.of("app", "gw")));
    assertThat(
            new RequestWorkload(DEFAULTS, "app")
                .of(request(Map.of(), "spiffe://cluster.local/ns/shop/sa/cart/extra")))
        .isNull();
  }

  @Test
  void malformedLabelsAreRefused() {
    assertThatThrownBy(
            () -> new RequestWorkload(DEFAULTS, null).of(request(Map.of("labels", "app"), "")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
