package dev.meshguard.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.MeshSettings;
import dev.meshguard.policy.AuthorizationPolicy;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.DocumentOrigin;
import dev.meshguard.policy.Finding;
import dev.meshguard.policy.RequestAuthentication;
import dev.meshguard.policy.SourceDocument;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObjectQuarantineTest {
  private static SourceDocument doc(String name, String json) {
    return new SourceDocument(name, json);
  }

  private static final String GOOD_POLICY =
      """
      {"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy",
       "metadata":{"name":"good","namespace":"foo"},
       "spec":{"action":"DENY","rules":[{"to":[{"operation":{"paths":["/admin"]}}]}]}}
      """;
  private static final String BAD_IP_POLICY =
      """
      {"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy",
       "metadata":{"name":"bad-ip","namespace":"foo"},
       "spec":{"rules":[{"from":[{"source":{"ipBlocks":["not-an-ip"]}}]}]}}
      """;
  private static final String UNKNOWN_FIELD_POLICY =
      """
      {"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy",
       "metadata":{"name":"typo","namespace":"foo"},
       "spec":{"rulez":[]}}
      """;
  private static final String BAD_JWKS =
      """
      {"apiVersion":"security.istio.io/v1","kind":"RequestAuthentication",
       "metadata":{"name":"bad-jwks","namespace":"foo"},
       "spec":{"jwtRules":[{"issuer":"a","jwks":"{\\"keys\\":[{\\"kty\\":\\"RSA\\"}]}"}]}}
      """;
  private static final String GOOD_AUTHN =
      """
      {"apiVersion":"security.istio.io/v1","kind":"RequestAuthentication",
       "metadata":{"name":"good-authn","namespace":"foo"},
       "spec":{"jwtRules":[{"issuer":"a","jwksUri":"https://idp.example.com/keys"}]}}
      """;

  @Test
  void readsEachDocumentUnderItsName() {
    ConfigSet config =
        ConfigLoader.loadDocuments(List.of(doc("k8s:AuthorizationPolicy/foo/good", GOOD_POLICY)));
    assertThat(config.findings()).filteredOn(Finding::isError).isEmpty();
    AuthorizationPolicy policy = config.authorizationPolicies().get(0);
    assertThat(policy.origin())
        .isEqualTo(new DocumentOrigin("k8s:AuthorizationPolicy/foo/good", 0));
  }

  @Test
  void objectsWithErrorsAreLeftOutAndTheOthersStay() {
    ConfigSet config =
        ConfigLoader.loadDocuments(
            List.of(
                doc("good", GOOD_POLICY),
                doc("bad-ip", BAD_IP_POLICY),
                doc("typo", UNKNOWN_FIELD_POLICY),
                doc("bad-jwks", BAD_JWKS),
                doc("good-authn", GOOD_AUTHN)));
    assertThat(config.hasErrors()).isTrue();

    ObjectQuarantine.Result result = ObjectQuarantine.apply(config, MeshSettings.defaults());

    assertThat(result.inForce().authorizationPolicies())
        .extracting(p -> p.metadata().name())
        .containsExactly("good");
    assertThat(result.inForce().requestAuthentications())
        .extracting(RequestAuthentication::metadata)
        .extracting(m -> m.name())
        .containsExactly("good-authn");
    assertThat(result.inForce().hasErrors()).isFalse();
    assertThat(result.skippedObjects())
        .extracting(DocumentOrigin::file)
        .containsExactlyInAnyOrder("bad-ip", "typo", "bad-jwks");
    assertThat(result.skipped())
        .filteredOn(Finding::isError)
        .extracting(Finding::file)
        .contains("bad-ip", "typo", "bad-jwks");
    assertThat(result.skipped())
        .filteredOn(f -> f.file().equals("bad-jwks"))
        .extracting(Finding::message)
        .anyMatch(m -> m.contains("invalid jwks"));
  }

  @Test
  void aCleanConfigurationIsKeptWhole() {
    ConfigSet config =
        ConfigLoader.loadDocuments(List.of(doc("good", GOOD_POLICY), doc("a", GOOD_AUTHN)));
    ObjectQuarantine.Result result = ObjectQuarantine.apply(config, MeshSettings.defaults());
    assertThat(result.skippedObjects()).isEmpty();
    assertThat(result.inForce()).isEqualTo(config);
  }
}
