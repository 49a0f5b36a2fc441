package dev.meshguard.engine.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.policy.AuthorizationPolicy;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.Finding;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A policy object compiled again gives the earlier result, unless the trust domains changed. */
class PolicyCompilerTest {
  private static final TrustDomainBundle LOCAL = TrustDomainBundle.of("cluster.local", List.of());
  private static final String YAML =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: p, namespace: foo}
      spec:
        rules: [{from: [{source: {principals: ["cluster.local/ns/foo/sa/a"]}}]}]
      """;

  private static AuthorizationPolicy read() {
    return ConfigLoader.loadString(YAML, "p.yaml").authorizationPolicies().get(0);
  }

  @Test
  void theSamePolicyObjectIsCompiledOncePerTrustDomainBundle() {
    AuthorizationPolicy p = read();
    List<Finding> findings = new ArrayList<>();
    CompiledPolicy first = PolicyCompiler.compile(p, LOCAL, findings);
    assertThat(PolicyCompiler.compile(p, LOCAL, findings)).isSameAs(first);
    // an equal policy read again is another object: compiled on its own
    assertThat(PolicyCompiler.compile(read(), LOCAL, findings)).isNotSameAs(first);
    // aliases change what `principals` match: compiled again
    TrustDomainBundle aliased = TrustDomainBundle.of("cluster.local", List.of("old.local"));
    CompiledPolicy withAlias = PolicyCompiler.compile(p, aliased, findings);
    assertThat(withAlias).isNotSameAs(first);
    assertThat(PolicyCompiler.compile(p, aliased, findings)).isSameAs(withAlias);
    assertThat(findings).isEmpty();
  }
}
