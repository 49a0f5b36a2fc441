package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.testing.MeshCa;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a verified client certificate tells about the peer. */
class PeerIdentityTest {
  private static final MeshCa CA = MeshCa.create("mesh test ca");

  @Test
  void spiffeCertificateGivesThePrincipalAndTheXfccDetails() throws Exception {
    MeshCa.Issued good =
        CA.issue("good", List.of("spiffe://cluster.local/ns/foo/sa/good"), List.of("good.foo.svc"));
    PeerIdentity p =
        PeerIdentity.of(good.certificate(), List.of("spiffe://cluster.local/ns/gw/sa/gw"));
    assertThat(p.principal()).isEqualTo("cluster.local/ns/foo/sa/good");
    assertThat(p.certificatePresented()).isTrue();
    assertThat(p.subject()).isEqualTo("CN=good");
    assertThat(p.uriSans()).containsExactly("spiffe://cluster.local/ns/foo/sa/good");
    assertThat(p.dnsSans()).containsExactly("good.foo.svc");
    assertThat(p.localUriSans()).containsExactly("spiffe://cluster.local/ns/gw/sa/gw");
    String expectedHash =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(good.certificate().getEncoded()));
    assertThat(p.sha256()).isEqualTo(expectedHash).matches("[0-9a-f]{64}");
  }

  @Test
  void dnsOnlyCertificateIsPresentedButNamesNoPrincipal() {
    PeerIdentity p =
        PeerIdentity.of(
            CA.issue("svc", List.of(), List.of("svc.example")).certificate(), List.of());
    assertThat(p.certificatePresented()).isTrue();
    assertThat(p.principal()).isNull();
    assertThat(p.uriSans()).isEmpty();
  }

  @Test
  void severalUriSansTakeTheFirst() {
    PeerIdentity p =
        PeerIdentity.of(
            CA.issue(
                    "",
                    List.of("spiffe://td/ns/a/sa/first", "spiffe://td/ns/b/sa/second"),
                    List.of())
                .certificate(),
            List.of());
    assertThat(p.principal()).isEqualTo("td/ns/a/sa/first");
    assertThat(p.uriSans())
        .containsExactly("spiffe://td/ns/a/sa/first", "spiffe://td/ns/b/sa/second");
    assertThat(p.subject()).isEmpty();
  }

  @Test
  void noCertificateIsNobody() {
    PeerIdentity p = PeerIdentity.of(null, List.of("spiffe://td/ns/gw/sa/gw"));
    assertThat(p.certificatePresented()).isFalse();
    assertThat(p.principal()).isNull();
    assertThat(PeerIdentity.NONE.certificatePresented()).isFalse();
    assertThat(PeerIdentity.NONE.principal()).isNull();
  }
}
