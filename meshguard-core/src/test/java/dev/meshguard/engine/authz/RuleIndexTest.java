package dev.meshguard.engine.authz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.engine.Trace;
import dev.meshguard.engine.authn.VerifiedClaims;
import dev.meshguard.policy.AuthorizationPolicy;
import dev.meshguard.policy.AuthorizationPolicy.Action;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The index looks at the rules that can match a request and no others (counted, not timed), and a
 * rule whose evaluation throws never lets a request through, however it is reached.
 */
class RuleIndexTest {
  private static final int TENANTS = 2000;

  /** The shape of `shared/bench/scale.py`: one ALLOW policy per tenant. */
  private static List<CompiledPolicy> tenantPolicies(int count) {
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < count; i++) {
      yaml.append(
          """
          ---
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: tenant-%1$d, namespace: foo}
          spec:
            action: ALLOW
            rules:
            - from: [{source: {requestPrincipals: ["iss/t%1$d"]}}]
              to: [{operation: {methods: [GET], paths: ["/svc%1$d/*"]}}]
              when: [{key: "request.headers[x-tenant]", values: ["t%1$d"]}]
          """
              .formatted(i));
    }
    return compile(yaml.toString());
  }

  private static List<CompiledPolicy> compile(String yaml) {
    List<Finding> findings = new ArrayList<>();
    List<CompiledPolicy> out = new ArrayList<>();
    for (AuthorizationPolicy p :
        ConfigLoader.loadString(yaml, "policies.yaml").authorizationPolicies()) {
      out.add(
          PolicyCompiler.compile(p, TrustDomainBundle.of("cluster.local", List.of()), findings));
    }
    assertThat(findings).isEmpty();
    return out;
  }

  private static AuthzRequest request(String path, String subject, String tenantHeader) {
    ObjectNode payload = JsonNodeFactory.instance.objectNode();
    payload.put("iss", "iss");
    payload.put("sub", subject);
    return new AuthzRequest(
        "GET",
        "example.com",
        path,
        path,
        "http",
        80,
        null,
        null,
        null,
        null,
        null,
        RequestHeaders.of(List.of(Map.entry("x-tenant", tenantHeader))),
        VerifiedClaims.of(payload));
  }

  /** How many rules a lookup evaluates before it answers. */
  private static int rulesEvaluated(PolicyRules rules, AuthzRequest request) {
    AtomicInteger evaluated = new AtomicInteger();
    RuleIndex index =
        RuleIndex.build(rules.policies().stream().map(p -> p.rules().get(0).keys()).toList());
    index.first(
        request,
        ordinal -> {
          evaluated.incrementAndGet();
          return false;
        });
    return evaluated.get();
  }

  @Test
  void aRequestLooksOnlyAtTheRulesFiledUnderItsPath() {
    PolicyRules rules = new PolicyRules(tenantPolicies(TENANTS));

    assertThat(rulesEvaluated(rules, request("/svc1999/items", "t1999", "t1999"))).isEqualTo(1);
    assertThat(rulesEvaluated(rules, request("/svc7/items", "t7", "t7"))).isEqualTo(1);
    assertThat(rulesEvaluated(rules, request("/elsewhere", "t7", "t7"))).isZero();

    PolicyRules.Match last = rules.first(request("/svc1999/items", "t1999", "t1999"));
    assertThat(last.policy().qualifiedName()).isEqualTo("foo/tenant-1999");
    assertThat(rules.first(request("/svc1999/items", "t1999", "t1"))).isNull();
  }

  @Test
  void rulesWithoutPathsAreFiledUnderTheirRequestPrincipal() {
    String yaml =
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: by-principal, namespace: foo}
        spec:
          rules:
          - from: [{source: {requestPrincipals: ["iss/alice", "iss/bob"]}}]
          - from: [{source: {requestPrincipals: ["iss/*"]}}]
        """;
    List<CompiledPolicy> policies = compile(yaml);
    RuleKeys exact = policies.get(0).rules().get(0).keys();
    RuleKeys wildcard = policies.get(0).rules().get(1).keys();

    assertThat(exact.paths()).isNull();
    assertThat(exact.principals())
        .containsExactly(
            new RuleKeys.PrincipalKey("iss", "alice"), new RuleKeys.PrincipalKey("iss", "bob"));
    assertThat(wildcard.principals()).as("a wildcard is a candidate for everyone").isNull();
    RuleIndex index = RuleIndex.build(List.of(exact, wildcard));
    assertThat(index.unfiledCount()).isEqualTo(1);
  }

  @Test
  void aRuleThatCannotBeEvaluatedNeverAllows() {
    Matcher broken =
        new Matcher() {
          @Override
          public boolean matches(AuthzRequest request) {
            throw new IllegalStateException("broken");
          }

          @Override
          public String describe() {
            return "broken";
          }
        };
    CompiledRule rule = new CompiledRule(0, null, null, List.of(broken));
    CompiledPolicy allow =
        new CompiledPolicy("foo", "allow", Action.ALLOW, false, null, List.of(rule));
    CompiledPolicy deny =
        new CompiledPolicy("foo", "deny", Action.DENY, false, null, List.of(rule));
    AuthzRequest request = request("/x", "t1", "t1");

    Authorizer allowOnly = new Authorizer(List.of(allow), Map.of());
    assertThat(allowOnly.authorize(request, Trace.OFF).allowed()).isFalse();
    Trace trace = Trace.recording();
    assertThat(allowOnly.authorize(request, trace).allowed()).isFalse();
    assertThat(String.join("\n", trace.lines())).contains("evaluation error");

    Authorizer denyOnly = new Authorizer(List.of(deny), Map.of());
    AuthzResult denied = denyOnly.authorize(request, Trace.OFF);
    assertThat(denied.allowed()).isFalse();
    assertThat(denied.policy()).isEqualTo("foo/deny");
    assertThat(denyOnly.authorize(request, Trace.recording()).policy()).isEqualTo("foo/deny");
  }

  @Test
  void theNoMatchReasonNamesAFewAllowPoliciesAndCountsTheRest() {
    Authorizer authorizer = new Authorizer(tenantPolicies(7), Map.of());
    AuthzResult result = authorizer.authorize(request("/none", "t1", "t1"), Trace.OFF);
    assertThat(result.allowed()).isFalse();
    assertThat(result.reason())
        .isEqualTo(
            "no ALLOW policy matched (ALLOW policies: `foo/tenant-0`, `foo/tenant-1`,"
                + " `foo/tenant-2`, `foo/tenant-3`, `foo/tenant-4` and 2 more)");
  }
}
