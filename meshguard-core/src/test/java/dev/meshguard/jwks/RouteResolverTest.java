package dev.meshguard.jwks;

import static dev.meshguard.jwks.MeshConfig.config;
import static dev.meshguard.jwks.MeshConfig.destinationRule;
import static dev.meshguard.jwks.MeshConfig.endpoint;
import static dev.meshguard.jwks.MeshConfig.hostDestinationRule;
import static dev.meshguard.jwks.MeshConfig.port;
import static dev.meshguard.jwks.MeshConfig.serviceEntry;
import static dev.meshguard.jwks.MeshConfig.simpleTls;
import static dev.meshguard.jwks.MeshConfig.tlsMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.DestinationRule;
import dev.meshguard.policy.ServiceEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteResolverTest {
  private static final RemoteJwksOptions DEFAULTS = RemoteJwksOptions.defaults();

  private static Route resolve(ConfigSet config, String url) throws FetchException {
    return new RouteResolver(config, DEFAULTS).resolve(url);
  }

  @Test
  void inClusterHttpUrlIsResolvedByDns() throws Exception {
    Route route =
        resolve(MeshConfig.empty(), "http://nginx-proxy.foo.svc.cluster.local:80/get_jwks");
    assertThat(route.dials())
        .containsExactly(new Route.Dial("nginx-proxy.foo.svc.cluster.local", 80));
    assertThat(route.tls()).isNull();
    assertThat(route.hostHeader()).isEqualTo("nginx-proxy.foo.svc.cluster.local");
    assertThat(route.requestTarget()).isEqualTo("/get_jwks");
    assertThat(route.via()).isEqualTo("dns");
  }

  @Test
  void httpsUrlVerifiesTheHostWithTheJvmTrustStore() throws Exception {
    Route route = resolve(MeshConfig.empty(), "https://login.example.com/keys?tenant=a%20b");
    assertThat(route.dials()).containsExactly(new Route.Dial("login.example.com", 443));
    assertThat(route.requestTarget()).isEqualTo("/keys?tenant=a%20b");
    assertThat(route.tls())
        .isEqualTo(
            new Route.Tls(
                "login.example.com", "login.example.com", List.of(), null, false, "https"));
  }

  @Test
  void staticServiceEntryConnectsToItsEndpointsWithPortsMappedByName() throws Exception {
    ServiceEntry se =
        serviceEntry(
            "jwks",
            List.of("jwks.example.com"),
            List.of(),
            List.of(port(443, "HTTPS", "https"), port(80, "HTTP", "http")),
            "STATIC",
            List.of(endpoint("127.0.0.1", Map.of("https", 8443)), endpoint("127.0.0.2", Map.of())));
    Route route = resolve(config(List.of(se), List.of()), "https://jwks.example.com/jwks");
    assertThat(route.dials())
        .containsExactly(new Route.Dial("127.0.0.1", 8443), new Route.Dial("127.0.0.2", 443));
    assertThat(route.hostHeader()).isEqualTo("jwks.example.com");
    assertThat(route.via()).isEqualTo("serviceentry `foo/jwks` (STATIC)");
    assertThat(route.describe()).contains("127.0.0.1:8443");
  }

  @Test
  void seedExternalExampleMatchesTheIpHostAndOriginatesTlsOnPort443() throws Exception {
    // testdata/seed-bookinfo/external-jwksuri.yaml, with 11.11.0.1 as in the FAQ.
    ServiceEntry se =
        serviceEntry(
            "external-svc-https",
            List.of("11.11.0.1"),
            List.of("11.11.0.1"),
            List.of(port(80, "HTTP", "http"), port(443, "HTTPS", "https")),
            "STATIC",
            List.of(endpoint("11.11.0.1", Map.of())));
    DestinationRule dr = destinationRule("11.11.0.1", 443, simpleTls(null, null, List.of(), false));
    Route route = resolve(config(List.of(se), List.of(dr)), "https://11.11.0.1/get_jwks");
    assertThat(route.dials()).containsExactly(new Route.Dial("11.11.0.1", 443));
    assertThat(route.tls().sni()).isNull(); // no SNI for an IP
    assertThat(route.tls().verifyName()).isEqualTo("11.11.0.1");
    assertThat(route.tls().origin()).isEqualTo("destinationrule `foo/dr-11.11.0.1`");
  }

  @Test
  void serviceEntryAddressesMatchAnIpHostByCidr() throws Exception {
    ServiceEntry se =
        serviceEntry(
            "range",
            List.of("jwks.internal"),
            List.of("10.9.0.0/16"),
            List.of(port(80, "HTTP", "http")),
            "NONE",
            List.of());
    Route route = resolve(config(List.of(se), List.of()), "http://10.9.1.2/jwks");
    assertThat(route.via()).isEqualTo("serviceentry `foo/range` (NONE)");
    assertThat(route.dials()).containsExactly(new Route.Dial("10.9.1.2", 80));
  }

  @Test
  void dnsServiceEntryResolvesEndpointsOrTheHost() throws Exception {
    ServiceEntry withEndpoints =
        serviceEntry(
            "a",
            List.of("a.example.com"),
            List.of(),
            List.of(new ServiceEntry.Port(80, "HTTP", "http", 8080)),
            "DNS",
            List.of(endpoint("backend.example.net", Map.of())));
    ServiceEntry withoutEndpoints =
        serviceEntry(
            "b",
            List.of("*.b.example.com"),
            List.of(),
            List.of(new ServiceEntry.Port(80, "HTTP", "http", 8080)),
            "DNS",
            List.of());
    ConfigSet config = config(List.of(withEndpoints, withoutEndpoints), List.of());
    assertThat(resolve(config, "http://a.example.com/k").dials())
        .containsExactly(new Route.Dial("backend.example.net", 8080));
    assertThat(resolve(config, "http://x.b.example.com/k").dials())
        .containsExactly(new Route.Dial("x.b.example.com", 8080));
  }

  @Test
  void exactHostBeatsWildcard() throws Exception {
    ServiceEntry wildcard =
        serviceEntry(
            "wild",
            List.of("*.example.com"),
            List.of(),
            List.of(port(80, "HTTP", "http")),
            "NONE",
            List.of());
    ServiceEntry exact =
        serviceEntry(
            "exact",
            List.of("jwks.example.com"),
            List.of(),
            List.of(port(80, "HTTP", "http")),
            "STATIC",
            List.of(endpoint("127.0.0.9", Map.of())));
    Route route = resolve(config(List.of(wildcard, exact), List.of()), "http://jwks.example.com/");
    assertThat(route.via()).startsWith("serviceentry `foo/exact`");
  }

  @Test
  void serviceEntryWithoutThePortRefuses() {
    ServiceEntry se =
        serviceEntry(
            "jwks",
            List.of("jwks.example.com"),
            List.of(),
            List.of(port(443, "HTTPS", "https")),
            "STATIC",
            List.of(endpoint("127.0.0.1", Map.of())));
    assertThatThrownBy(() -> resolve(config(List.of(se), List.of()), "http://jwks.example.com/"))
        .isInstanceOf(FetchException.class)
        .hasMessage("serviceentry `foo/jwks` does not declare port 80");
  }

  @Test
  void destinationRuleSimpleOriginatesTlsForPlainHttpOnPort443() throws Exception {
    DestinationRule dr =
        destinationRule(
            "jwks.example.com",
            443,
            simpleTls("/etc/ca.pem", "sni.example.com", List.of("spiffe://x", "jwks"), false));
    Route route = resolve(config(List.of(), List.of(dr)), "http://jwks.example.com:443/jwks");
    assertThat(route.tls())
        .isEqualTo(
            new Route.Tls(
                "sni.example.com",
                "sni.example.com",
                List.of("spiffe://x", "jwks"),
                "/etc/ca.pem",
                false,
                "destinationrule `foo/dr-jwks.example.com`"));
    assertThat(route.hostHeader()).isEqualTo("jwks.example.com:443");
  }

  @Test
  void portLevelSettingsApplyOnlyToTheirPortAndOverrideHostLevel() throws Exception {
    DestinationRule dr =
        new DestinationRule(
            MeshConfig.ORIGIN,
            MeshConfig.meta("foo", "dr"),
            "jwks.example.com",
            simpleTls(null, null, List.of(), false),
            List.of(new DestinationRule.PortTls(8080, tlsMode("DISABLE"))),
            List.of());
    ConfigSet config = config(List.of(), List.of(dr));
    assertThat(resolve(config, "http://jwks.example.com:8080/").tls()).isNull();
    assertThat(resolve(config, "http://jwks.example.com:9090/").tls()).isNotNull();
  }

  @Test
  void shortDestinationRuleHostIsRelativeToItsNamespace() throws Exception {
    DestinationRule dr = hostDestinationRule("nginx-proxy", simpleTls(null, null, List.of(), true));
    Route route =
        resolve(config(List.of(), List.of(dr)), "http://nginx-proxy.foo.svc.cluster.local/jwks");
    assertThat(route.tls()).isNotNull();
    assertThat(route.tls().insecureSkipVerify()).isTrue();
  }

  @Test
  void mutualTlsIsRefusedAndIstioMutualLeavesTheUrlScheme() throws Exception {
    assertThatThrownBy(
            () ->
                resolve(
                    config(List.of(), List.of(hostDestinationRule("a.example", tlsMode("MUTUAL")))),
                    "http://a.example/"))
        .isInstanceOf(FetchException.class)
        .hasMessageContaining("`MUTUAL` is not supported");
    ConfigSet istioMutual =
        config(List.of(), List.of(hostDestinationRule("a.example", tlsMode("ISTIO_MUTUAL"))));
    assertThat(resolve(istioMutual, "http://a.example/").tls()).isNull();
  }

  @Test
  void registryOnlyNeedsAServiceEntryForExternalHosts() throws Exception {
    RemoteJwksOptions registryOnly = DEFAULTS.toBuilder().registryOnly(true).build();
    RouteResolver none = new RouteResolver(MeshConfig.empty(), registryOnly);
    assertThatThrownBy(() -> none.resolve("https://login.example.com/keys"))
        .isInstanceOf(FetchException.class)
        .hasMessage(
            "host `login.example.com` is not declared by a serviceentry (registry-only mode)");
    assertThat(none.resolve("http://nginx-proxy.foo.svc.cluster.local/jwks").via())
        .isEqualTo("dns");
    assertThat(none.resolve("http://nginx-proxy.foo.svc/jwks").via()).isEqualTo("dns");

    ServiceEntry se =
        serviceEntry(
            "login",
            List.of("login.example.com"),
            List.of(),
            List.of(port(443, "HTTPS", "https")),
            "DNS",
            List.of());
    RouteResolver declared = new RouteResolver(config(List.of(se), List.of()), registryOnly);
    assertThat(declared.resolve("https://login.example.com/keys").via())
        .isEqualTo("serviceentry `foo/login` (DNS)");
  }

  @Test
  void refusesOtherSchemesCredentialsAndMetadataHosts() {
    for (String url :
        List.of(
            "file:///etc/passwd",
            "ftp://example.com/jwks",
            "gopher://x/",
            "http://user:pw@example.com/jwks",
            "http:///nohost",
            "http://metadata.google.internal/computeMetadata/v1/",
            "not a url")) {
      assertThatThrownBy(() -> resolve(MeshConfig.empty(), url))
          .as(url)
          .isInstanceOf(FetchException.class);
    }
  }

  @Test
  void staticServiceEntryToAMetadataHostNameIsRefused() {
    ServiceEntry se =
        serviceEntry(
            "sneaky",
            List.of("jwks.example.com"),
            List.of(),
            List.of(port(80, "HTTP", "http")),
            "DNS",
            List.of(endpoint("metadata.google.internal", Map.of())));
    assertThatThrownBy(() -> resolve(config(List.of(se), List.of()), "http://jwks.example.com/"))
        .isInstanceOf(FetchException.class)
        .hasMessageContaining("metadata");
  }

  @Test
  void ipv6HostsAreBracketedInHostHeaderAndDials() throws Exception {
    Route route = resolve(MeshConfig.empty(), "http://[::1]:8080/jwks");
    assertThat(route.host()).isEqualTo("::1");
    assertThat(route.hostHeader()).isEqualTo("[::1]:8080");
    assertThat(route.dials().get(0).toString()).isEqualTo("[::1]:8080");
  }

  @Test
  void equalConfigurationsFromDifferentFilesGiveEqualRoutes() throws Exception {
    ServiceEntry a =
        serviceEntry(
            "jwks",
            List.of("jwks.example.com"),
            List.of(),
            List.of(port(80, "HTTP", "http")),
            "STATIC",
            List.of(endpoint("127.0.0.1", Map.of())));
    ServiceEntry b =
        new ServiceEntry(
            new dev.meshguard.policy.DocumentOrigin("other.yaml", 3),
            a.metadata(),
            a.hosts(),
            a.addresses(),
            a.ports(),
            a.location(),
            a.resolution(),
            a.endpoints(),
            a.exportTo());
    RouteResolver ra = new RouteResolver(config(List.of(a), List.of()), DEFAULTS);
    RouteResolver rb = new RouteResolver(config(List.of(b), List.of()), DEFAULTS);
    assertThat(ra.resolve("http://jwks.example.com/"))
        .isEqualTo(rb.resolve("http://jwks.example.com/"));
    assertThat(ra.fingerprint()).isEqualTo(rb.fingerprint());
  }
}
