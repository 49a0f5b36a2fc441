package dev.meshguard.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshguard.engine.ExtAuthzProvider.Protocol;
import dev.meshguard.engine.MeshSettingsLoader.MeshConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** MeshConfig `extensionProviders` as Istio documents and validates them. */
class ExtensionProviderReaderTest {
  private static Map<String, ExtensionProvider> read(String yaml) throws MeshConfigException {
    return MeshSettingsLoader.parse(yaml, "mesh.yaml").extensionProviders();
  }

  @Test
  void everyFieldOfAnHttpProvider() throws Exception {
    ExtAuthzProvider p =
        read("""
                extensionProviders:
                - name: oauth2-proxy
                  envoyExtAuthzHttp:
                    service: oauth2-proxy.foo.svc.cluster.local
                    port: 4180
                    timeout: 0.25s
                    failOpen: true
                    statusOnError: "503"
                    pathPrefix: /oauth2/auth
                    includeRequestHeadersInCheck: ["authorization", "Cookie", "x-ext-authz*", "*-id"]
                    includeAdditionalHeadersInCheck:
                      x-ext-authz-source: istio
                    headersToUpstreamOnAllow: ["authorization", "x-auth-request-*"]
                    headersToDownstreamOnAllow: ["set-cookie"]
                    headersToDownstreamOnDeny: ["content-type", "set-cookie", "location"]
                    includeRequestBodyInCheck:
                      maxRequestBytes: 4096
                      allowPartialMessage: true
                      packAsBytes: false
                """)
            .get("oauth2-proxy")
            .extAuthz();
    assertThat(p.protocol()).isEqualTo(Protocol.HTTP);
    assertThat(p.service()).isEqualTo("oauth2-proxy.foo.svc.cluster.local");
    assertThat(p.port()).isEqualTo(4180);
    assertThat(p.timeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(p.failOpen()).isTrue();
    assertThat(p.statusOnError()).isEqualTo(503);
    assertThat(p.pathPrefix()).isEqualTo("/oauth2/auth");
    assertThat(p.includeRequestHeadersInCheck())
        .containsExactly("authorization", "cookie", "x-ext-authz*", "*-id");
    assertThat(p.includeAdditionalHeadersInCheck()).containsEntry("x-ext-authz-source", "istio");
    assertThat(p.headersToUpstreamOnAllow()).containsExactly("authorization", "x-auth-request-*");
    assertThat(p.headersToDownstreamOnAllow()).containsExactly("set-cookie");
    assertThat(p.headersToDownstreamOnDeny())
        .containsExactly("content-type", "set-cookie", "location");
    assertThat(p.requestBody()).isEqualTo(new ExtAuthzProvider.RequestBody(4096, true, false));
  }

  @Test
  void aGrpcProviderWithIstiosDefaults() throws Exception {
    ExtensionProvider e =
        read("""
                meshConfig:
                  extensionProviders:
                  - name: opa
                    envoyExtAuthzGrpc:
                      service: opa/opa.opa.svc.cluster.local
                      port: 9191
                """)
            .get("opa");
    assertThat(e.isExtAuthz()).isTrue();
    assertThat(e.kind()).isEqualTo("envoyExtAuthzGrpc");
    ExtAuthzProvider p = e.extAuthz();
    assertThat(p.protocol()).isEqualTo(Protocol.GRPC);
    assertThat(p.timeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(p.failOpen()).isFalse();
    assertThat(p.statusOnError()).isEqualTo(403);
    assertThat(p.pathPrefix()).isEmpty();
    assertThat(p.headersToDownstreamOnDeny()).isEmpty();
    assertThat(p.requestBody()).isNull();
  }

  @Test
  void otherProviderKindsAreKeptByNameOnly() throws Exception {
    Map<String, ExtensionProvider> all =
        read(
            """
            extensionProviders:
            - name: zipkin
              zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}
            - name: authz
              envoyExtAuthzHttp: {service: authz.foo.svc.cluster.local, port: 8000}
            """);
    assertThat(all).containsOnlyKeys("zipkin", "authz");
    assertThat(all.get("zipkin").isExtAuthz()).isFalse();
    assertThat(all.get("zipkin").kind()).isEqualTo("zipkin");
  }

  @Test
  void theDeprecatedIncludeHeadersInCheckStillCounts() throws Exception {
    ExtAuthzProvider p =
        read("""
                extensionProviders:
                - name: a
                  envoyExtAuthzHttp:
                    service: a.foo.svc.cluster.local
                    port: 80
                    includeHeadersInCheck: ["x-user"]
                """)
            .get("a")
            .extAuthz();
    assertThat(p.includeRequestHeadersInCheck()).containsExactly("x-user");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "port: 80 | service: required",
        "service: a.foo | port: required",
        "service: a.foo, port: 70000 | port: required, 1 to 65535",
        "service: /a, port: 80 | neither a host",
        "service: a/b/c, port: 80 | neither a host",
        "service: a.foo, port: 80, timeout: 500ms | `500ms` is not a duration",
        "service: a.foo, port: 80, timeout: 0s | must be more than zero",
        "service: a.foo, port: 80, statusOnError: \"42\" | `42` is not an HTTP status",
        "service: a.foo, port: 80, statusOnError: nope | `nope` is not an HTTP status",
        "service: a.foo, port: 80, failOpen: \"yes\" | failOpen: expected true or false",
        "service: a.foo, port: 80, failopen: true | failopen: unknown field",
        "service: a.foo, port: 80, pathPrefix: auth | pathPrefix: must start with `/`",
        "service: a.foo, port: 80, headersToUpstreamOnAllow: [\"x y\"] | `x y` is not a header name",
        "service: a.foo, port: 80, headersToUpstreamOnAllow: [\"*a*\"] | `*a*` is not a header name",
        "service: a.foo, port: 80, includeRequestBodyInCheck: {maxBytes: 1} | maxBytes: unknown",
      })
  void invalidHttpProvidersAreRejectedNamingTheField(String fields, String message) {
    assertThatThrownBy(
            () -> read("extensionProviders:\n- name: a\n  envoyExtAuthzHttp: {" + fields + "}\n"))
        .isInstanceOf(MeshConfigException.class)
        .hasMessageStartingWith("mesh.yaml: extensionProviders[0].envoyExtAuthzHttp")
        .hasMessageContaining(message);
  }

  @Test
  void httpOnlyFieldsAreUnknownForGrpc() {
    assertThatThrownBy(
            () ->
                read(
                    """
                    extensionProviders:
                    - name: a
                      envoyExtAuthzGrpc: {service: a.foo, port: 80, pathPrefix: /x}
                    """))
        .isInstanceOf(MeshConfigException.class)
        .hasMessageContaining("envoyExtAuthzGrpc.pathPrefix: unknown field");
  }

  @Test
  void namesAreRequiredAndUnique() {
    assertThatThrownBy(
            () ->
                read(
                    """
                    extensionProviders:
                    - envoyExtAuthzGrpc: {service: a.foo, port: 80}
                    """))
        .hasMessageContaining("extensionProviders[0].name: required");
    assertThatThrownBy(
            () ->
                read(
                    """
                    extensionProviders:
                    - name: a
                      envoyExtAuthzGrpc: {service: a.foo, port: 80}
                    - name: a
                      envoyExtAuthzHttp: {service: b.foo, port: 80}
                    """))
        .hasMessageContaining("extensionProviders[1].name: `a` is not unique");
  }

  @Test
  void oneKindPerEntry() {
    assertThatThrownBy(
            () ->
                read(
                    """
                    extensionProviders:
                    - name: a
                      envoyExtAuthzGrpc: {service: a.foo, port: 80}
                      envoyExtAuthzHttp: {service: a.foo, port: 80}
                    """))
        .hasMessageContaining("exactly one provider kind");
  }

  @Test
  void headerPatternsMatchExactlyByPrefixBySuffixOrAllIgnoringCase() {
    List<String> patterns = List.of("authorization", "x-auth-request-*", "*-id");
    assertThat(ExtAuthzProvider.matches(patterns, "Authorization")).isTrue();
    assertThat(ExtAuthzProvider.matches(patterns, "authorization-2")).isFalse();
    assertThat(ExtAuthzProvider.matches(patterns, "X-Auth-Request-User")).isTrue();
    assertThat(ExtAuthzProvider.matches(patterns, "x-auth-requestx")).isFalse();
    assertThat(ExtAuthzProvider.matches(patterns, "x-user-id")).isTrue();
    assertThat(ExtAuthzProvider.matches(patterns, "x-user-idx")).isFalse();
    assertThat(ExtAuthzProvider.matches(List.of("*"), "anything")).isTrue();
    assertThat(ExtAuthzProvider.matches(List.of(), "anything")).isFalse();
  }

  @Test
  void aSingleWildcardIsRefusedAsIstiodRefusesIt() {
    for (String field :
        List.of(
            "includeRequestHeadersInCheck",
            "headersToUpstreamOnAllow",
            "headersToDownstreamOnAllow",
            "headersToDownstreamOnDeny")) {
      assertThatThrownBy(
              () ->
                  read(
                      """
                      extensionProviders:
                      - name: a
                        envoyExtAuthzHttp: {service: a.foo, port: 80, %s: ["*"]}
                      """
                          .formatted(field)))
          .as(field)
          .hasMessageContaining("a single wildcard");
    }
  }
}
