package dev.meshguard.kube;

import static dev.meshguard.kube.KubeConfigSourceTest.HTTPBIN;
import static dev.meshguard.kube.KubeConfigSourceTest.await;
import static dev.meshguard.kube.KubeConfigSourceTest.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.source.SourcedConfig;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every watched kind, the MeshConfig ConfigMap, namespace scoping and the served version: each
 * created, changed and deleted through the mock API server changes what the source hands out.
 */
class KubeSourceKindsTest {
  private MockApiServer api;
  private KubernetesClient admin;
  private KubeConfigSource source;

  @BeforeEach
  void startServer() {
    api = MockApiServer.start();
    admin = api.client();
  }

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
    admin.close();
    api.close();
  }

  private void start(KubeSettings settings) throws InterruptedException {
    source =
        KubeConfigSource.start(
            api.client(), settings, new PrintStream(new ByteArrayOutputStream(), true));
    assertThat(source.awaitFirstView(KubeConfigSourceTest.HANG_GUARD)).isTrue();
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** A well-formed token from an issuer no rule names: rejected only when some rule applies. */
  private static final String STRANGER_TOKEN =
      b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}")
          + "."
          + b64("{\"iss\":\"https://stranger\"}")
          + ".c2ln";

  private int statusWithToken(Workload workload) {
    SourcedConfig view = source.current();
    var snapshot =
        SnapshotCompiler.compile(
            view.config(),
            view.mesh(),
            workload,
            (rule, config) -> JwksSource.failing(JwtStatus.JWKS_FETCH_FAIL, "offline", "offline"));
    CheckRequest request =
        new CheckRequest(
            "GET",
            "http",
            "example.com",
            "/headers",
            RequestHeaders.of(List.of(Map.entry("authorization", "Bearer " + STRANGER_TOKEN))),
            "10.0.0.1",
            "10.0.0.1",
            null,
            null,
            8080,
            null);
    return Engine.decide(snapshot, request, Clock.systemUTC()).status();
  }

  private static String requestAuthentication(String issuer) {
    return """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: foo}
        spec:
          jwtRules:
          - issuer: %s
            jwksUri: https://idp.example.com/keys
        """
        .formatted(issuer);
  }

  @Test
  void requestAuthenticationsComeAndGo() throws Exception {
    start(KubeSettings.defaults());
    assertThat(statusWithToken(HTTPBIN)).isEqualTo(200);
    MockApiServer.apply(admin, requestAuthentication("https://idp.example.com"));
    await("the RequestAuthentication", () -> statusWithToken(HTTPBIN) == 401);
    MockApiServer.apply(admin, requestAuthentication("https://other.example.com"));
    await(
        "the changed issuer",
        () ->
            source
                .current()
                .config()
                .requestAuthentications()
                .get(0)
                .jwtRules()
                .get(0)
                .issuer()
                .equals("https://other.example.com"));
    MockApiServer.delete(admin, requestAuthentication("https://other.example.com"));
    await("the delete", () -> statusWithToken(HTTPBIN) == 200);
  }

  @Test
  void serviceEntriesAndDestinationRulesComeAndGo() throws Exception {
    start(KubeSettings.defaults());
    String entry =
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: idp, namespace: istio-system}
        spec:
          hosts: [idp.example.com]
          ports: [{number: %d, name: https, protocol: TLS}]
          resolution: DNS
        """;
    String rule =
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: idp, namespace: istio-system}
        spec:
          host: idp.example.com
          trafficPolicy: {tls: {mode: %s}}
        """;
    MockApiServer.apply(admin, entry.formatted(443));
    MockApiServer.apply(admin, rule.formatted("SIMPLE"));
    await(
        "both",
        () ->
            source.current().config().serviceEntries().size() == 1
                && source.current().config().destinationRules().size() == 1);
    MockApiServer.apply(admin, entry.formatted(8443));
    await(
        "the new port",
        () -> source.current().config().serviceEntries().get(0).toString().contains("8443"));
    MockApiServer.delete(admin, entry.formatted(8443));
    MockApiServer.delete(admin, rule.formatted("SIMPLE"));
    await(
        "the deletes",
        () ->
            source.current().config().serviceEntries().isEmpty()
                && source.current().config().destinationRules().isEmpty());
  }

  @Test
  void theMeshConfigMapSetsTheRootNamespace() throws Exception {
    MockApiServer.apply(
        admin,
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-admin, namespace: mesh-root}
        spec:
          action: DENY
          rules:
          - to:
            - operation: {paths: ["/admin"]}
        """);
    start(KubeSettings.defaults());
    assertThat(KubeConfigSourceTest.status(source.current(), HTTPBIN, "/admin")).isEqualTo(200);
    admin
        .configMaps()
        .inNamespace("istio-system")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("istio")
                .withNamespace("istio-system")
                .endMetadata()
                .withData(Map.of("mesh", "rootNamespace: mesh-root\ntrustDomain: example.org\n"))
                .build())
        .create();
    await(
        "the root namespace",
        () -> KubeConfigSourceTest.status(source.current(), HTTPBIN, "/admin") == 403);
    assertThat(source.current().mesh().trustDomain()).isEqualTo("example.org");
    assertThat(source.health().get("meshConfig").toString()).contains("istio-system/istio");

    // a broken edit keeps the last good settings
    admin
        .configMaps()
        .inNamespace("istio-system")
        .withName("istio")
        .edit(
            c -> new ConfigMapBuilder(c).withData(Map.of("mesh", "rootNamespace: [1, 2]")).build());
    await("the error", () -> source.health().get("meshConfigError") != null);
    assertThat(source.current().mesh().rootNamespace()).isEqualTo("mesh-root");
  }

  @Test
  void aNamespaceListLimitsWhatIsWatchedButKeepsTheRoot() throws Exception {
    MockApiServer.apply(admin, policy("deny-admin", "DENY", "/admin"));
    MockApiServer.apply(
        admin, policy("deny-other", "DENY", "/other").replace("namespace: foo", "namespace: bar"));
    MockApiServer.apply(
        admin,
        policy("deny-root", "DENY", "/root").replace("namespace: foo", "namespace: istio-system"));
    start(KubeSettings.defaults().withScope(new NamespaceScope(List.of("bar"), null)));
    SourcedConfig view = source.current();
    assertThat(view.config().authorizationPolicies())
        .extracting(p -> p.metadata().qualifiedName())
        .containsExactlyInAnyOrder("bar/deny-other", "istio-system/deny-root");
  }

  @Test
  void aNamespaceSelectorFollowsNamespaceLabels() throws Exception {
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("foo").endMetadata().build())
        .create();
    MockApiServer.apply(admin, policy("deny-admin", "DENY", "/admin"));
    start(KubeSettings.defaults().withScope(new NamespaceScope(List.of(), "mesh=on")));
    assertThat(source.current().config().authorizationPolicies()).isEmpty();
    admin
        .namespaces()
        .withName("foo")
        .edit(
            n ->
                new NamespaceBuilder(n)
                    .editMetadata()
                    .addToLabels("mesh", "on")
                    .endMetadata()
                    .build());
    await(
        "the labelled namespace",
        () -> source.current().config().authorizationPolicies().size() == 1);
  }

  @Test
  void aClusterServingOnlyV1beta1IsWatchedAtV1beta1() throws Exception {
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(
            admin
                .getKubernetesSerialization()
                .unmarshal(
                    """
                    apiVersion: apiextensions.k8s.io/v1
                    kind: CustomResourceDefinition
                    metadata: {name: authorizationpolicies.security.istio.io}
                    spec:
                      group: security.istio.io
                      names: {kind: AuthorizationPolicy, plural: authorizationpolicies, singular: authorizationpolicy, listKind: AuthorizationPolicyList}
                      scope: Namespaced
                      versions:
                      - {name: v1beta1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
                    """,
                    io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition
                        .class))
        .create();
    MockApiServer.apply(
        admin,
        policy("old-api", "DENY", "/admin")
            .replace("security.istio.io/v1", "security.istio.io/v1beta1"));
    start(KubeSettings.defaults());
    assertThat(source.current().config().authorizationPolicies())
        .extracting(p -> p.metadata().name())
        .containsExactly("old-api");
    assertThat(source.health().toString())
        .contains("AuthorizationPolicy security.istio.io/v1beta1");
  }
}
