package dev.meshguard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.testing.TestSnapshots;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Trust-domain migration (istio.io authz-td-migration): aliases make old principals match. */
class TrustDomainAliasTest {
  private static final String POLICY =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: allow-sleep, namespace: foo}
      spec:
        rules:
        - from: [{source: {principals: ['old-td/ns/foo/sa/sleep']}}]
      """;

  private static int status(MeshSettings mesh, String principal) {
    PolicySnapshot snapshot =
        SnapshotCompiler.compile(
            ConfigLoader.loadString(POLICY, "p.yaml"),
            mesh,
            new Workload("foo", Map.of()),
            TestSnapshots.NO_REMOTE_KEYS);
    assertThat(snapshot.hasErrors()).isFalse();
    CheckRequest request =
        new CheckRequest(
            "GET", "http", "h", "/", RequestHeaders.empty(), null, null, principal, null, 80, null);
    return Engine.decide(snapshot, request, Clock.systemUTC()).status();
  }

  private static MeshSettings mesh(String trustDomain, List<String> aliases) {
    return new MeshSettings("istio-system", PathNormalization.BASE, trustDomain, aliases, Map.of());
  }

  @Test
  void withoutAliasesOnlyTheWrittenTrustDomainMatches() {
    MeshSettings mesh = mesh("new-td", List.of());
    assertThat(status(mesh, "old-td/ns/foo/sa/sleep")).isEqualTo(200);
    assertThat(status(mesh, "new-td/ns/foo/sa/sleep")).isEqualTo(403);
  }

  @Test
  void anAliasMakesThePrincipalMatchInEveryTrustDomainOfTheBundle() {
    MeshSettings mesh = mesh("new-td", List.of("old-td"));
    assertThat(status(mesh, "old-td/ns/foo/sa/sleep")).isEqualTo(200);
    assertThat(status(mesh, "new-td/ns/foo/sa/sleep")).isEqualTo(200);
    assertThat(status(mesh, "other-td/ns/foo/sa/sleep")).isEqualTo(403);
    assertThat(status(mesh, "new-td/ns/foo/sa/other")).isEqualTo(403);
  }
}
