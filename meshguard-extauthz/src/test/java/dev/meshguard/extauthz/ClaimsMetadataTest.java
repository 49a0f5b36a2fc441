package dev.meshguard.extauthz;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import dev.meshguard.conformance.Placeholders;
import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.policy.ConfigLoader;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * `extauthz --metadata-claims`: the verified token's claims in the OK answer's dynamic metadata, as
 * Envoy's jwt_authn `payload_in_metadata` exposes the payload to later filters and access logs.
 */
class ClaimsMetadataTest {
  private static final PolicySnapshot SNAPSHOT =
      SnapshotCompiler.compile(
          ConfigLoader.loadString(
              Placeholders.resolve(
                  """
                  apiVersion: security.istio.io/v1
                  kind: RequestAuthentication
                  metadata: {name: jwt, namespace: foo}
                  spec:
                    jwtRules:
                    - issuer: https://issuer-a.example
                      jwks: '${jwks:rsa-a}'
                  """),
              "p.yaml"),
          MeshSettings.defaults(),
          new Workload("foo", Map.of()),
          (rule, config) -> {
            throw new AssertionError("no remote keys");
          });

  private static Decision decide(String token) {
    List<Map.Entry<String, String>> headers =
        token == null ? List.of() : List.of(Map.entry("authorization", "Bearer " + token));
    return Engine.decide(
        SNAPSHOT,
        new CheckRequest(
            "GET",
            "http",
            "h",
            "/",
            RequestHeaders.of(headers),
            "10.0.0.1",
            null,
            null,
            null,
            80,
            null),
        Clock.systemUTC());
  }

  private static final String TOKEN =
      Placeholders.resolve(
          "${token:rsa-a:{\"iss\":\"https://issuer-a.example\",\"sub\":\"alice\",\"exp\":\"+3600\","
              + "\"groups\":[\"dev\",\"ops\"],\"org\":{\"id\":7}}}");

  private static Struct facts(CheckResponse r) {
    return r.getDynamicMetadata().getFieldsOrThrow("meshguard").getStructValue();
  }

  @Test
  void theNamedClaimsAreCopiedWithTheirJsonTypes() {
    Decision d = decide(TOKEN);
    assertThat(d.allowed()).isTrue();
    Struct claims =
        facts(ExtAuthzResponses.of(d, List.of("sub", "groups", "org", "absent")))
            .getFieldsOrThrow("claims")
            .getStructValue();
    assertThat(claims.getFieldsMap()).containsOnlyKeys("sub", "groups", "org");
    assertThat(claims.getFieldsOrThrow("sub").getStringValue()).isEqualTo("alice");
    assertThat(claims.getFieldsOrThrow("groups").getListValue().getValuesList())
        .extracting(v -> v.getStringValue())
        .containsExactly("dev", "ops");
    assertThat(
            claims.getFieldsOrThrow("org").getStructValue().getFieldsOrThrow("id").getNumberValue())
        .isEqualTo(7.0);
  }

  @Test
  void aStarCopiesTheWholePayload() {
    Struct claims =
        facts(ExtAuthzResponses.of(decide(TOKEN), List.of("*")))
            .getFieldsOrThrow("claims")
            .getStructValue();
    assertThat(claims.getFieldsMap()).containsKeys("iss", "sub", "exp", "groups", "org");
  }

  @Test
  void noClaimsWithoutATokenOrWithoutTheOption() {
    assertThat(facts(ExtAuthzResponses.of(decide(null), List.of("sub"))).containsFields("claims"))
        .isFalse();
    assertThat(facts(ExtAuthzResponses.of(decide(TOKEN), List.of())).containsFields("claims"))
        .isFalse();
    assertThat(facts(ExtAuthzResponses.of(decide(TOKEN))).containsFields("claims")).isFalse();
  }
}
