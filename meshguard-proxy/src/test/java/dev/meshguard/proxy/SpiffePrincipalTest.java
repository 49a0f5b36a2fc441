package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The principal a certificate's URI SANs give, as istiod's SPIFFE matchers read it. */
class SpiffePrincipalTest {
  @Test
  void istioWorkloadIdentityLosesOnlyTheScheme() {
    assertThat(SpiffePrincipal.fromUri("spiffe://cluster.local/ns/foo/sa/good"))
        .isEqualTo("cluster.local/ns/foo/sa/good");
  }

  @Test
  void pathsIstioDoesNotIssueAreKeptAsTheyAre() {
    // Envoy matches the raw SAN: serviceAccounts' regex allows a suffix, namespaces a prefix path
    assertThat(SpiffePrincipal.fromUri("spiffe://td/ns/a/sa/b/extra"))
        .isEqualTo("td/ns/a/sa/b/extra");
    assertThat(SpiffePrincipal.fromUri("spiffe://td")).isEqualTo("td");
    assertThat(SpiffePrincipal.fromUri("spiffe://td/workload-7")).isEqualTo("td/workload-7");
  }

  @Test
  void notSpiffeMeansNoPrincipal() {
    assertThat(SpiffePrincipal.fromUri("https://cluster.local/ns/foo/sa/good")).isNull();
    assertThat(SpiffePrincipal.fromUri("SPIFFE://cluster.local/ns/foo/sa/good")).isNull();
    assertThat(SpiffePrincipal.fromUri("spiffe:/cluster.local/ns/foo/sa/good")).isNull();
    assertThat(SpiffePrincipal.fromUri("spiffe://")).isNull();
    assertThat(SpiffePrincipal.fromUri("urn:spiffe:cluster.local")).isNull();
    assertThat(SpiffePrincipal.fromUri(null)).isNull();
  }

  @Test
  void theFirstUriSanDecides() {
    assertThat(
            SpiffePrincipal.fromUriSans(
                List.of("spiffe://td/ns/a/sa/first", "spiffe://td/ns/b/sa/second")))
        .isEqualTo("td/ns/a/sa/first");
    // Envoy's ext_authz `source.principal` is the first URI SAN: a non-SPIFFE one hides the rest
    assertThat(
            SpiffePrincipal.fromUriSans(
                List.of("https://example.com/me", "spiffe://td/ns/b/sa/second")))
        .isNull();
    assertThat(SpiffePrincipal.fromUriSans(List.of())).isNull();
  }
}
