package dev.meshguard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.DocumentOrigin;
import dev.meshguard.policy.JwtRule;
import dev.meshguard.policy.ObjectMeta;
import dev.meshguard.policy.RequestAuthentication;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoKeysTest {
  private static ConfigSet withJwks(String jwks) {
    JwtRule rule =
        new JwtRule(
            "testing@secure.istio.io",
            List.of(),
            null,
            jwks,
            null,
            null,
            null,
            null,
            List.of(),
            false,
            List.of(),
            null);
    RequestAuthentication ra =
        new RequestAuthentication(
            new DocumentOrigin("p.yaml", 2),
            new ObjectMeta("jwt-example", "istio-system", Map.of(), Map.of()),
            null,
            List.of(),
            List.of(rule));
    return new ConfigSet(List.of(ra), List.of(), List.of(), List.of(), List.of(), List.of());
  }

  @Test
  void recognisesIstiosSampleKeyWhateverTheJsonLayout() {
    String sample =
        "{ \"keys\" : [ {\"e\":\"AQAB\", \"kty\":\"RSA\",\n \"n\": \""
            + DemoKeys.SAMPLE_MODULUS_PREFIX
            + "rest\"}]}";
    assertThat(DemoKeys.usages(withJwks(sample)))
        .singleElement()
        .asString()
        .startsWith("p.yaml:2: requestauthentication `istio-system/jwt-example`: jwtRules[0].jwks")
        .contains("sample key");
  }

  @Test
  void otherKeysAndRemoteKeysPass() {
    assertThat(
            DemoKeys.usages(
                withJwks("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"abc\",\"e\":\"AQAB\"}]}")))
        .isEmpty();
    assertThat(DemoKeys.usages(withJwks(null))).isEmpty();
  }
}
