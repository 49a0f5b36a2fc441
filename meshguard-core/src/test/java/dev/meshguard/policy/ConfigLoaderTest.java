package dev.meshguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.policy.AuthorizationPolicy.Action;
import dev.meshguard.policy.AuthorizationPolicy.Condition;
import dev.meshguard.policy.AuthorizationPolicy.Rule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading paths into records: directories, documents, origins and the values bound. */
class ConfigLoaderTest {
  private static final String POLICY =
      "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: %s, namespace: ns}\n";

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    return file;
  }

  @Test
  void directoryReadsYamlYmlAndJsonInNameOrderWithoutRecursing() throws IOException {
    write("b.yaml", POLICY.formatted("b"));
    write("a.yml", POLICY.formatted("a"));
    write(
        "c.json",
        "{\"apiVersion\": \"security.istio.io/v1\", \"kind\": \"AuthorizationPolicy\","
            + " \"metadata\": {\"name\": \"c\", \"namespace\": \"ns\"}}");
    write("d.txt", POLICY.formatted("d"));
    write("E.YAML", POLICY.formatted("e"));
    write("sub/f.yaml", POLICY.formatted("f"));

    ConfigSet config = ConfigLoader.load(List.of(dir));

    assertThat(config.findings()).isEmpty();
    assertThat(config.authorizationPolicies())
        .extracting(p -> p.metadata().name())
        .containsExactly("a", "b", "c");
    assertThat(config.authorizationPolicies().get(0).origin())
        .isEqualTo(new DocumentOrigin(dir.resolve("a.yml").toString(), 0));
  }

  @Test
  void pathsAreReadInTheOrderGiven() throws IOException {
    Path second = write("x/2.yaml", POLICY.formatted("second"));
    Path first = write("y/1.yaml", POLICY.formatted("first"));

    ConfigSet config = ConfigLoader.load(List.of(second, first));

    assertThat(config.authorizationPolicies())
        .extracting(p -> p.metadata().name())
        .containsExactly("second", "first");
  }

  @Test
  void emptyDirectoryIsANotice() throws IOException {
    Path empty = Files.createDirectory(dir.resolve("empty"));

    ConfigSet config = ConfigLoader.load(List.of(empty));

    assertThat(config.findings()).isEmpty();
    assertThat(config.notices()).containsExactly(empty + ": no *.yaml, *.yml or *.json files");
  }

  @Test
  void missingPathIsAnUnreadableError() {
    Path missing = dir.resolve("missing.yaml");

    ConfigSet config = ConfigLoader.load(List.of(missing));

    assertThat(config.hasErrors()).isTrue();
    assertThat(config.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.format())
                  .isEqualTo(missing + ":0: cannot read: no such file or directory");
              assertThat(ConfigLoader.isUnreadable(f)).isTrue();
            });
  }

  @Test
  void invalidUtf8IsAnError() throws IOException {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, "metadata: {name: caf\u00e9}".getBytes(StandardCharsets.ISO_8859_1));

    ConfigSet config = ConfigLoader.load(List.of(file));

    assertThat(config.findings())
        .extracting(Finding::format)
        .containsExactly(file + ":0: not valid UTF-8");
    assertThat(ConfigLoader.isUnreadable(config.findings().get(0))).isFalse();
  }

  @Test
  void byteOrderMarkIsIgnored() throws IOException {
    Path file = dir.resolve("bom.yaml");
    Files.write(file, ("\uFEFF" + POLICY.formatted("p")).getBytes(StandardCharsets.UTF_8));

    assertThat(ConfigLoader.load(List.of(file)).authorizationPolicies()).hasSize(1);
  }

  @Test
  void documentIndexesCountEveryDocumentFromZero() {
    String yaml =
        POLICY.formatted("zero")
            + "---\n---\n# comment only\n---\n"
            + POLICY.formatted("three")
            + "...\n---\n"
            + POLICY.formatted("four");

    ConfigSet config = ConfigLoader.loadString(yaml, "multi.yaml");

    assertThat(config.authorizationPolicies())
        .extracting(AuthorizationPolicy::origin)
        .containsExactly(
            new DocumentOrigin("multi.yaml", 0),
            new DocumentOrigin("multi.yaml", 3),
            new DocumentOrigin("multi.yaml", 4));
  }

  @Test
  void authorizationPolicyBindsEveryField() {
    String yaml =
        """
        apiVersion: security.istio.io/v1beta1
        kind: AuthorizationPolicy
        metadata:
          name: p
          namespace: foo
          labels: {team: a}
          annotations: {istio.io/dry-run: "true"}
        spec:
          selector:
            matchLabels: {app: httpbin, version: v1}
          action: DENY
          rules:
          - from:
            - source:
                principals: [cluster.local/ns/a/sa/b]
                notPrincipals: [np]
                requestPrincipals: [iss/sub]
                notRequestPrincipals: [nrp]
                namespaces: [a]
                notNamespaces: [na]
                ipBlocks: [10.0.0.0/8]
                notIpBlocks: [10.1.0.0/16]
                remoteIpBlocks: [1.2.3.4]
                notRemoteIpBlocks: [5.6.7.8]
                trustDomains: [td]
                notTrustDomains: [ntd]
            to:
            - operation:
                hosts: [h]
                notHosts: [nh]
                ports: ["80"]
                notPorts: ["81"]
                methods: [GET]
                notMethods: [POST]
                paths: [/p]
                notPaths: [/np]
            when:
            - key: request.headers[x]
              values: [v]
              notValues: [nv]
          - {}
        """;

    ConfigSet config = ConfigLoader.loadString(yaml, "p.yaml");

    AuthorizationPolicy p = config.authorizationPolicies().get(0);
    assertThat(p.metadata())
        .isEqualTo(
            new ObjectMeta("p", "foo", Map.of("team", "a"), Map.of("istio.io/dry-run", "true")));
    assertThat(p.selector().matchLabels()).isEqualTo(Map.of("app", "httpbin", "version", "v1"));
    assertThat(p.targetRefs()).isEmpty();
    assertThat(p.action()).isEqualTo(Action.DENY);
    assertThat(p.provider()).isNull();
    Rule rule = p.rules().get(0);
    assertThat(rule.from().get(0))
        .isEqualTo(
            new AuthorizationPolicy.Source(
                List.of("cluster.local/ns/a/sa/b"),
                List.of("np"),
                List.of("iss/sub"),
                List.of("nrp"),
                List.of("a"),
                List.of("na"),
                List.of(),
                List.of(),
                List.of("td"),
                List.of("ntd"),
                List.of("10.0.0.0/8"),
                List.of("10.1.0.0/16"),
                List.of("1.2.3.4"),
                List.of("5.6.7.8")));
    assertThat(rule.to().get(0))
        .isEqualTo(
            new AuthorizationPolicy.Operation(
                List.of("h"),
                List.of("nh"),
                List.of("80"),
                List.of("81"),
                List.of("GET"),
                List.of("POST"),
                List.of("/p"),
                List.of("/np")));
    assertThat(rule.when())
        .containsExactly(new Condition("request.headers[x]", List.of("v"), List.of("nv")));
    assertThat(p.rules().get(1)).isEqualTo(new Rule(null, null, List.of()));
  }

  @Test
  void singularTargetRefBindsAsOneTargetRef() {
    String yaml =
        POLICY.formatted("p")
            + "spec:\n  targetRef: {kind: Gateway, group: gateway.networking.k8s.io, name: gw}\n";

    AuthorizationPolicy p = ConfigLoader.loadString(yaml, "p.yaml").authorizationPolicies().get(0);

    assertThat(p.selector()).isNull();
    assertThat(p.targetRefs())
        .containsExactly(
            new PolicyTargetReference("gateway.networking.k8s.io", "Gateway", "gw", null));
  }

  @Test
  void customProviderBindsItsName() {
    String yaml =
        POLICY.formatted("p") + "spec:\n  action: CUSTOM\n  provider: {name: ext}\n  rules: [{}]\n";

    AuthorizationPolicy p = ConfigLoader.loadString(yaml, "p.yaml").authorizationPolicies().get(0);

    assertThat(p.action()).isEqualTo(Action.CUSTOM);
    assertThat(p.provider()).isEqualTo("ext");
  }

  @Test
  void requestAuthenticationBindsEveryField() {
    String yaml =
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: ra, namespace: foo}
        spec:
          jwtRules:
          - issuer: iss
            audiences: [a1, a2]
            jwks_uri: https://example.com/jwks
            fromHeaders:
            - {name: Authorization, prefix: "Bearer "}
            - {name: x-token}
            fromParams: [token]
            fromCookies: [session]
            outputPayloadToHeader: x-payload
            outputClaimToHeaders: [{header: x-sub, claim: sub}]
            forwardOriginalToken: true
            spaceDelimitedClaims: [roles]
            timeout: 0.25s
          - issuer: other
            jwks: '{"keys": []}'
            fromHeaders: []
        """;

    ConfigSet config = ConfigLoader.loadString(yaml, "ra.yaml");

    assertThat(config.findings().stream().filter(Finding::isError)).isEmpty();
    List<JwtRule> rules = config.requestAuthentications().get(0).jwtRules();
    assertThat(rules.get(0))
        .isEqualTo(
            new JwtRule(
                "iss",
                List.of("a1", "a2"),
                "https://example.com/jwks",
                null,
                List.of(new JwtHeader("Authorization", "Bearer "), new JwtHeader("x-token", null)),
                List.of("token"),
                List.of("session"),
                "x-payload",
                List.of(new ClaimToHeader("x-sub", "sub")),
                true,
                List.of("roles"),
                Duration.ofMillis(250)));
    JwtRule second = rules.get(1);
    assertThat(second.fromHeaders()).isEmpty();
    assertThat(second.fromParams()).isNull();
    assertThat(second.fromCookies()).isNull();
    assertThat(second.jwks()).isEqualTo("{\"keys\": []}");
    assertThat(second.forwardOriginalToken()).isFalse();
    assertThat(second.timeout()).isNull();
    assertThat(second.timeoutOrDefault()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void serviceEntryDefaultsLocationAndResolution() {
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: se, namespace: foo}
        spec:
          hosts: [jwks.example.com]
          ports: [{number: 443, name: https, protocol: TLS, targetPort: 8443}]
        """;

    ServiceEntry entry = ConfigLoader.loadString(yaml, "se.yaml").serviceEntries().get(0);

    assertThat(entry.location()).isEqualTo("MESH_EXTERNAL");
    assertThat(entry.resolution()).isEqualTo("NONE");
    assertThat(entry.ports()).containsExactly(new ServiceEntry.Port(443, "TLS", "https", 8443));
    assertThat(entry.exportTo()).isEmpty();
  }

  @Test
  void serviceEntryEndpointsBind() {
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: se, namespace: foo}
        spec:
          hosts: [jwks.example.com]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 443, name: https, protocol: HTTPS}]
          endpoints:
          - {address: 127.0.0.2, ports: {https: 8443}, labels: {app: jwks}, network: n1}
          exportTo: ["."]
        """;

    ServiceEntry entry = ConfigLoader.loadString(yaml, "se.yaml").serviceEntries().get(0);

    assertThat(entry.location()).isEqualTo("MESH_INTERNAL");
    assertThat(entry.endpoints())
        .containsExactly(
            new ServiceEntry.Endpoint(
                "127.0.0.2", Map.of("https", 8443), Map.of("app", "jwks"), "n1"));
    assertThat(entry.exportTo()).containsExactly(".");
  }

  @Test
  void destinationRuleKeepsWholeHostAndPortLevelTls() {
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: dr, namespace: foo}
        spec:
          host: jwks.example.com
          trafficPolicy:
            tls:
              mode: SIMPLE
              caCertificates: /etc/ca.pem
              sni: jwks.example.com
              subjectAltNames: [jwks.example.com]
              insecureSkipVerify: false
            portLevelSettings:
            - port: {number: 80}
              loadBalancer: {simple: RANDOM}
            - port: {number: 8443}
              tls: {}
        """;

    DestinationRule rule = ConfigLoader.loadString(yaml, "dr.yaml").destinationRules().get(0);

    assertThat(rule.tls())
        .isEqualTo(
            new DestinationRule.ClientTls(
                "SIMPLE",
                "/etc/ca.pem",
                null,
                null,
                null,
                "jwks.example.com",
                List.of("jwks.example.com"),
                false));
    assertThat(rule.portLevelTls())
        .containsExactly(
            new DestinationRule.PortTls(
                8443,
                new DestinationRule.ClientTls(
                    "DISABLE", null, null, null, null, null, List.of(), false)));
  }

  @Test
  void objectsWithReadingErrorsAreLeftOutButValidationErrorsAreKept() {
    String yaml =
        POLICY.formatted("unknown-field")
            + "spec: {actions: DENY}\n---\n"
            + POLICY.formatted("invalid")
            + "spec: {action: DENY}\n";

    ConfigSet config = ConfigLoader.loadString(yaml, "p.yaml");

    assertThat(config.hasErrors()).isTrue();
    assertThat(config.authorizationPolicies())
        .extracting(p -> p.metadata().name())
        .containsExactly("invalid");
  }

  @Test
  void findingsOfAListItemCarryItsPrefix() {
    String yaml =
        """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: p, namespace: ns}
          targetRef: {kind: Service}
        """;

    ConfigSet config = ConfigLoader.loadString(yaml, "list.yaml");

    assertThat(config.findings())
        .extracting(Finding::format)
        .containsExactly("list.yaml:0: items[0].targetRef: unknown field `targetRef`");
  }
}
