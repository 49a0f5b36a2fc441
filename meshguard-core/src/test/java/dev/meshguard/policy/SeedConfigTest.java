package dev.meshguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The FAQ's seed files load cleanly and bind to the values they spell out. */
class SeedConfigTest {
  static Path seedDirectory() throws URISyntaxException {
    return Path.of(SeedConfigTest.class.getResource("/policy/seed").toURI());
  }

  @Test
  void seedDirectoryLoadsWithoutErrors() throws Exception {
    ConfigSet config = ConfigLoader.load(List.of(seedDirectory()));

    assertThat(config.findings().stream().filter(Finding::isError).map(Finding::format)).isEmpty();
    assertThat(config.requestAuthentications()).hasSize(2);
    assertThat(config.authorizationPolicies()).hasSize(1);
    assertThat(config.serviceEntries()).hasSize(1);
    assertThat(config.destinationRules()).hasSize(1);
    assertThat(config.notices()).isEmpty();
  }

  @Test
  void seedWarningsAreOnlyTheExpectedOnes() throws Exception {
    Path seed = seedDirectory();
    ConfigSet config = ConfigLoader.load(List.of(seed));

    String external = seed.resolve("external-jwksuri.yaml").toString();
    assertThat(config.findings())
        .extracting(Finding::format)
        .containsExactlyInAnyOrder(
            // istiod refuses IP addresses as ServiceEntry/DestinationRule hosts; the FAQ uses one.
            external
                + ":0: warning: spec.hosts[0]: istiod refuses this host: domain name `11.11.0.1`"
                + " invalid (top level domain `1` cannot be all-numeric)",
            external
                + ":1: warning: spec.host: istiod refuses this host: domain name `11.11.0.1`"
                + " invalid (top level domain `1` cannot be all-numeric)",
            // istiod's own warning for a DENY rule without ports.
            seed.resolve("ingress-policies.yaml")
                + ":1: warning: spec.rules[0]: configured AuthorizationPolicy will deny all traffic"
                + " to TCP ports under its scope due to the use of only HTTP attributes in a DENY"
                + " rule; it is recommended to explicitly specify the port",
            // Two scenarios reuse the name foo/jwt-example; read together, the later one wins.
            seed.resolve("sidecar-jwksuri.yaml")
                + ":0: warning: metadata.name: RequestAuthentication `foo/jwt-example` replaces the"
                + " one read at "
                + external
                + ":2, as a later `kubectl apply` would");
  }

  @Test
  void ingressPoliciesBindAsWritten() throws Exception {
    ConfigSet config = ConfigLoader.load(List.of(seedDirectory().resolve("ingress-policies.yaml")));

    RequestAuthentication authentication = config.requestAuthentications().get(0);
    assertThat(authentication.metadata().qualifiedName()).isEqualTo("istio-system/jwt-example");
    assertThat(authentication.origin().index()).isZero();
    assertThat(authentication.selector().matchLabels())
        .containsExactly(java.util.Map.entry("app", "istio-ingressgateway"));
    JwtRule rule = authentication.jwtRules().get(0);
    assertThat(rule.issuer()).isEqualTo("testing@secure.istio.io");
    assertThat(rule.jwks()).startsWith("{\"keys\": [{\"e\": \"AQAB\"");
    assertThat(rule.jwksUri()).isNull();
    assertThat(rule.fromHeaders()).isNull();
    assertThat(rule.timeout()).isNull();

    AuthorizationPolicy policy = config.authorizationPolicies().get(0);
    assertThat(policy.origin().index()).isEqualTo(1);
    assertThat(policy.action()).isEqualTo(AuthorizationPolicy.Action.DENY);
    AuthorizationPolicy.Rule denyRule = policy.rules().get(0);
    assertThat(denyRule.from().get(0).notRequestPrincipals()).containsExactly("*");
    assertThat(denyRule.to().get(0).notPaths()).containsExactly("/productpage");
    assertThat(denyRule.when()).isEmpty();
  }

  @Test
  void externalJwksUriBindsServiceEntryAndDestinationRule() throws Exception {
    ConfigSet config = ConfigLoader.load(List.of(seedDirectory().resolve("external-jwksuri.yaml")));

    ServiceEntry entry = config.serviceEntries().get(0);
    assertThat(entry.hosts()).containsExactly("11.11.0.1");
    assertThat(entry.resolution()).isEqualTo("STATIC");
    assertThat(entry.location()).isEqualTo("MESH_EXTERNAL");
    assertThat(entry.ports())
        .containsExactly(
            new ServiceEntry.Port(80, "HTTP", "http", null),
            new ServiceEntry.Port(443, "HTTPS", "https", null));
    assertThat(entry.endpoints())
        .extracting(ServiceEntry.Endpoint::address)
        .containsExactly("11.11.0.1");

    DestinationRule rule = config.destinationRules().get(0);
    assertThat(rule.host()).isEqualTo("11.11.0.1");
    assertThat(rule.tls()).isNull();
    assertThat(rule.portLevelTls()).hasSize(1);
    assertThat(rule.portLevelTls().get(0).port()).isEqualTo(443);
    assertThat(rule.portLevelTls().get(0).tls().mode()).isEqualTo("SIMPLE");

    assertThat(config.requestAuthentications().get(0).jwtRules().get(0).jwksUri())
        .isEqualTo("https://11.11.0.1/get_jwks");
  }
}
