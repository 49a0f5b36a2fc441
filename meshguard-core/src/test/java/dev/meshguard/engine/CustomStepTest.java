package dev.meshguard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.conformance.Placeholders;
import dev.meshguard.policy.ConfigLoader;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The CUSTOM step with the provider's answer: a front end asks {@link Engine#customCheck} which
 * provider must be asked, asks it, and decides with the answer. Envoy's order: ext_authz first,
 * then JWT, DENY, ALLOW, which see the headers the provider set.
 */
class CustomStepTest {
  private static final String MESH =
      """
      extensionProviders:
      - name: ext-authz
        envoyExtAuthzHttp:
          service: ext-authz.foo.svc.cluster.local
          port: 8000
          headersToUpstreamOnAllow: ["x-user"]
      - name: tracing
        zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}
      """;

  private static final String POLICIES =
      """
      apiVersion: security.istio.io/v1
      kind: RequestAuthentication
      metadata: {name: jwt, namespace: foo}
      spec:
        jwtRules:
        - issuer: https://issuer-a.example
          jwks: '${jwks:rsa-a}'
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: ext, namespace: foo}
      spec:
        action: CUSTOM
        provider: {name: ext-authz}
        rules:
        - to: [{operation: {paths: ["/ext/*"]}}]
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: traced, namespace: foo}
      spec:
        action: CUSTOM
        provider: {name: tracing}
        rules:
        - to: [{operation: {paths: ["/traced/*"]}}]
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: no-secrets, namespace: foo}
      spec:
        action: DENY
        rules:
        - to: [{operation: {paths: ["/ext/secret"]}}]
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: alice-only, namespace: foo}
      spec:
        action: ALLOW
        rules:
        - to: [{operation: {paths: ["/ext/*"]}}]
          when: [{key: "request.headers[x-user]", values: ["alice"]}]
        - to: [{operation: {paths: ["/open", "/traced/*"]}}]
      """;

  private static final PolicySnapshot SNAPSHOT = snapshot();

  private static PolicySnapshot snapshot() {
    try {
      PolicySnapshot s =
          SnapshotCompiler.compile(
              ConfigLoader.loadString(Placeholders.resolve(POLICIES), "p.yaml"),
              MeshSettingsLoader.parse(MESH, "mesh.yaml"),
              new Workload("foo", Map.of()),
              (rule, config) -> {
                throw new AssertionError("no remote keys");
              });
      assertThat(s.hasErrors()).as("%s", s.findings()).isFalse();
      return s;
    } catch (MeshSettingsLoader.MeshConfigException e) {
      throw new AssertionError(e);
    }
  }

  private static CheckRequest get(String path, String... headers) {
    List<Map.Entry<String, String>> h = new ArrayList<>();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(Map.entry(headers[i], headers[i + 1]));
    }
    return new CheckRequest(
        "GET", "http", "h", path, RequestHeaders.of(h), "10.0.0.1", null, null, null, 80, null);
  }

  private static Decision decide(CheckRequest r, CustomAnswer answer) {
    return Engine.decide(SNAPSHOT, r, Clock.systemUTC(), CustomAnswers.always(answer));
  }

  @Test
  void aMatchingRequestMustBeSentToTheProviderWithItsSettings() {
    CustomCheck check = Engine.customCheck(SNAPSHOT, get("/ext/a"));
    assertThat(check).isNotNull();
    assertThat(check.policy()).isEqualTo("foo/ext");
    assertThat(check.providerName()).isEqualTo("ext-authz");
    assertThat(check.provider().service()).isEqualTo("ext-authz.foo.svc.cluster.local");
    assertThat(check.provider().port()).isEqualTo(8000);
  }

  @Test
  void nobodyIsAskedWhenNoCustomRuleMatches() {
    assertThat(Engine.customCheck(SNAPSHOT, get("/open"))).isNull();
  }

  @Test
  void nobodyIsAskedWhenTheProviderIsNotAnAuthorizerAndTheRequestIsDenied() {
    CheckRequest r = get("/traced/a");
    assertThat(Engine.customCheck(SNAPSHOT, r)).isNull();
    Decision d = decide(r, CustomAnswer.allow(List.of(), "would allow"));
    assertThat(d.allowed()).isFalse();
    assertThat(d.status()).isEqualTo(403);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.DENIED_CUSTOM);
    assertThat(d.policy()).isEqualTo("foo/traced");
  }

  @Test
  void withoutAnAnswerAMatchIsDeniedAsBefore() {
    Decision d = Engine.decide(SNAPSHOT, get("/ext/a"), Clock.systemUTC());
    assertThat(d.status()).isEqualTo(403);
    assertThat(d.body()).isEqualTo(Engine.RBAC_DENIED_BODY);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.DENIED_CUSTOM);
    assertThat(d.reason()).contains("ext_authz provider `ext-authz`");
  }

  @Test
  void theProvidersDenialReachesTheClientAsItSentIt() {
    Decision d =
        decide(
            get("/ext/a"),
            CustomAnswer.deny(
                302,
                "sign in first",
                List.of(Map.entry("location", "https://login.example/")),
                "redirect to sign-in"));
    assertThat(d.allowed()).isFalse();
    assertThat(d.status()).isEqualTo(302);
    assertThat(d.body()).isEqualTo("sign in first");
    assertThat(d.responseHeaders())
        .containsExactly(Map.entry("location", "https://login.example/"));
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.DENIED_CUSTOM);
    assertThat(d.policy()).isEqualTo("foo/ext");
    assertThat(d.upstream()).isNull();
  }

  @Test
  void anAllowGoesOnToAllowPoliciesThatSeeTheProvidersHeaders() {
    Decision d =
        decide(get("/ext/a"), CustomAnswer.allow(List.of(Map.entry("x-user", "alice")), "ok"));
    assertThat(d.allowed()).as(d.trace().toString()).isTrue();
    assertThat(d.policy()).isEqualTo("foo/alice-only");
    assertThat(d.upstream().addHeaders()).containsExactly(Map.entry("x-user", "alice"));
  }

  @Test
  void theProvidersHeaderReplacesTheClientsOwn() {
    Decision d =
        decide(
            get("/ext/a", "x-user", "mallory"),
            CustomAnswer.allow(List.of(Map.entry("x-user", "alice")), "ok"));
    assertThat(d.allowed()).as(d.trace().toString()).isTrue();
    Decision forged = decide(get("/ext/a", "x-user", "alice"), CustomAnswer.allow(List.of(), "ok"));
    // the client's own header is what ALLOW sees when the provider sets none: that is Istio's too
    assertThat(forged.allowed()).isTrue();
    Decision overwritten =
        decide(
            get("/ext/a", "x-user", "alice"),
            CustomAnswer.allow(List.of(Map.entry("x-user", "mallory")), "ok"));
    assertThat(overwritten.allowed()).isFalse();
    assertThat(overwritten.policy()).isNull();
  }

  @Test
  void anAllowIsStillSubjectToDenyPolicies() {
    Decision d =
        decide(get("/ext/secret"), CustomAnswer.allow(List.of(Map.entry("x-user", "alice")), "ok"));
    assertThat(d.allowed()).isFalse();
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.DENIED_AUTHORIZATION);
    assertThat(d.policy()).isEqualTo("foo/no-secrets");
  }

  private static CustomAnswer allowChangingQuery(
      List<Map.Entry<String, String>> set, List<String> remove) {
    return new CustomAnswer(
        true,
        200,
        "",
        List.of(),
        List.of(Map.entry("x-user", "alice")),
        List.of(),
        List.of(),
        "ok",
        set,
        remove);
  }

  @Test
  void theProvidersQueryChangesReachTheUpstream() {
    Decision d =
        decide(
            get("/ext/a?b=2&drop=me&a=1"),
            allowChangingQuery(List.of(Map.entry("tenant", "t1")), List.of("drop")));
    assertThat(d.allowed()).as(d.trace().toString()).isTrue();
    assertThat(d.upstream().path()).isEqualTo("/ext/a?a=1&b=2&tenant=t1");
    Decision unchanged = decide(get("/ext/a?b=2&a=1"), allowChangingQuery(List.of(), List.of()));
    assertThat(unchanged.upstream().path()).isEqualTo("/ext/a?b=2&a=1");
  }

  @Test
  void jwtAuthenticationAfterTheProviderReadsTheQueryItChanged() {
    CheckRequest r = get("/ext/a?access_token=not-a-jwt");
    // the token in the query fails verification ...
    assertThat(decide(r, allowChangingQuery(List.of(), List.of())).status()).isEqualTo(401);
    // ... unless the provider removed it before jwt_authn looked (Envoy's filter order)
    Decision removed = decide(r, allowChangingQuery(List.of(), List.of("access_token")));
    assertThat(removed.allowed()).as(removed.trace().toString()).isTrue();
    assertThat(removed.upstream().path()).isEqualTo("/ext/a");
  }

  @Test
  void theProviderCannotRemoveHostOrPseudoHeaders() {
    Decision d =
        decide(
            get("/ext/a", "x-drop", "1", "host", "h"),
            new CustomAnswer(
                true,
                200,
                "",
                List.of(),
                List.of(Map.entry("x-user", "alice")),
                List.of(),
                List.of("host", ":authority", "x-drop"),
                "ok"));
    assertThat(d.allowed()).as(d.trace().toString()).isTrue();
    assertThat(d.upstream().removeHeaders())
        .contains("x-drop")
        .doesNotContain("host", ":authority");
  }

  @Test
  void anAllowIsStillSubjectToJwtAuthentication() {
    Decision d =
        decide(
            get("/ext/a", "authorization", "Bearer not-a-jwt"),
            CustomAnswer.allow(List.of(Map.entry("x-user", "alice")), "ok"));
    assertThat(d.status()).isEqualTo(401);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.DENIED_AUTHENTICATION);
  }

  @Test
  void theTraceSaysWhatTheProviderAnswered() {
    Decision d =
        Engine.explain(
            SNAPSHOT,
            get("/ext/a"),
            Clock.systemUTC(),
            CustomAnswers.always(CustomAnswer.allow(List.of(Map.entry("x-user", "alice")), "ok")));
    assertThat(d.trace()).anyMatch(l -> l.contains("ext_authz provider `ext-authz` allowed: ok"));
  }

  @Test
  void decideAsyncAsksTheProviderFirstAndDecidesWithItsLaterAnswer() throws Exception {
    CompletableFuture<CustomAnswer> answer = new CompletableFuture<>();
    List<CustomCheck> asked = new ArrayList<>();
    CustomAuthorizer provider =
        (check, request) -> {
          asked.add(check);
          return answer;
        };
    ExecutorService resume = Executors.newSingleThreadExecutor();
    try {
      CompletableFuture<Decision> decided =
          Engine.decideAsync(SNAPSHOT, get("/ext/a?q=1"), Clock.systemUTC(), resume, provider);
      assertThat(decided).isNotDone();
      assertThat(asked)
          .singleElement()
          .satisfies(c -> assertThat(c.path()).isEqualTo("/ext/a?q=1"));
      answer.complete(
          new CustomAnswer(
              true,
              200,
              "",
              List.of(Map.entry("x-ext-note", "seen")),
              List.of(Map.entry("x-user", "alice")),
              List.of(Map.entry("x-trace", "b")),
              List.of("cookie"),
              "ok"));
      Decision d = decided.get(10, TimeUnit.SECONDS);
      assertThat(d.allowed()).isTrue();
      assertThat(d.policy()).isEqualTo("foo/alice-only");
      assertThat(d.responseHeaders()).containsExactly(Map.entry("x-ext-note", "seen"));
      assertThat(d.upstream().removeHeaders()).contains("cookie");
      assertThat(d.upstream().addHeaders())
          .contains(Map.entry("x-user", "alice"), Map.entry("x-trace", "b"));
    } finally {
      resume.shutdownNow();
    }
  }

  @Test
  void requestsNoCustomRuleMatchesAreDecidedWithoutAskingAnyone() {
    CustomAuthorizer never =
        (check, request) -> {
          throw new AssertionError("asked for " + check);
        };
    CompletableFuture<Decision> d =
        Engine.decideAsync(SNAPSHOT, get("/open"), Clock.systemUTC(), Runnable::run, never);
    assertThat(d).isDone();
    assertThat(d.join().allowed()).isTrue();
  }

  @Test
  void aProviderThatFailsIsAnsweredAsStatusOnErrorSays() {
    CustomAuthorizer broken =
        (check, request) -> CompletableFuture.failedFuture(new IllegalStateException("down"));
    Decision d =
        Engine.decideAsync(SNAPSHOT, get("/ext/a"), Clock.systemUTC(), Runnable::run, broken)
            .join();
    assertThat(d.allowed()).isFalse();
    assertThat(d.status()).isEqualTo(ExtAuthzProvider.DEFAULT_STATUS_ON_ERROR);
    assertThat(d.body()).isEmpty();
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.DENIED_CUSTOM);
  }

  @Test
  void anAllowingProvidersClientHeadersAlsoReachALaterDenial() {
    CustomAnswer allow =
        new CustomAnswer(
            true,
            200,
            "",
            List.of(Map.entry("x-ext-note", "seen")),
            List.of(Map.entry("x-user", "alice")),
            List.of(),
            List.of(),
            "ok");
    Decision d = decide(get("/ext/secret"), allow);
    assertThat(d.allowed()).isFalse();
    assertThat(d.responseHeaders()).containsExactly(Map.entry("x-ext-note", "seen"));
  }
}
