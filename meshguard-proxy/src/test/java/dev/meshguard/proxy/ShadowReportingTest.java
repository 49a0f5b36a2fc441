package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshguard.engine.authz.ShadowResult;
import dev.meshguard.runtime.MeshguardMetrics;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The dry-run verdict in the access log and in Prometheus, under Envoy's names. */
class ShadowReportingTest {
  private static AccessLogEntry entry(String policyId, String result) {
    return new AccessLogEntry(
        Instant.parse("2026-01-02T03:04:05Z"),
        "rid",
        "127.0.0.1",
        "GET",
        "shop",
        "/admin",
        200,
        "ALLOWED",
        null,
        null,
        "no ALLOW policy applies: allowed",
        200,
        null,
        1.0,
        policyId,
        result);
  }

  @Test
  void theAccessLogLineCarriesEnvoysShadowKeys() throws Exception {
    JsonNode j =
        new ObjectMapper()
            .readTree(AccessLog.format(entry("ns[foo]-policy[deny-admin]-rule[0]", "denied")));
    assertThat(j.get("shadow_effective_policy_id").asText())
        .isEqualTo("ns[foo]-policy[deny-admin]-rule[0]");
    assertThat(j.get("shadow_engine_result").asText()).isEqualTo("denied");
  }

  @Test
  void withoutAVerdictTheKeysAreNull() throws Exception {
    JsonNode j = new ObjectMapper().readTree(AccessLog.format(entry(null, null)));
    assertThat(j.has("shadow_engine_result")).isTrue();
    assertThat(j.get("shadow_engine_result").isNull()).isTrue();
    assertThat(j.get("shadow_effective_policy_id").isNull()).isTrue();
  }

  @Test
  void aCounterByResultAndMatchedRule() {
    MeshguardMetrics metrics = new MeshguardMetrics();
    metrics.shadow(new ShadowResult("ns[foo]-policy[deny-admin]-rule[0]", false));
    metrics.shadow(new ShadowResult("ns[foo]-policy[deny-admin]-rule[0]", false));
    metrics.shadow(new ShadowResult(null, true));
    metrics.shadow(null);
    String scrape = metrics.scrape();
    assertThat(scrape)
        .contains(
            "meshguard_authz_shadow_total{policy=\"ns[foo]-policy[deny-admin]-rule[0]\","
                + "result=\"denied\"} 2.0")
        .contains("meshguard_authz_shadow_total{policy=\"none\",result=\"allowed\"} 1.0");
  }
}
