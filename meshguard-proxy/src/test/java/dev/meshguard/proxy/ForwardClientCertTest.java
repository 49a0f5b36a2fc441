package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Envoy's `forward_client_cert_details` and the XFCC element it writes (the expected strings follow
 * Envoy's connection_manager_utility tests: `By=...;Hash=...;Subject="...";URI=...;DNS=...`).
 */
class ForwardClientCertTest {
  private static final String HASH = "a".repeat(64);
  private static final PeerIdentity MTLS =
      new PeerIdentity(
          "cluster.local/ns/foo/sa/good",
          true,
          "CN=good,O=meshguard",
          List.of("spiffe://cluster.local/ns/foo/sa/good"),
          List.of("good.foo.svc", "good"),
          HASH,
          List.of("spiffe://cluster.local/ns/gw/sa/gw"));
  private static final String ELEMENT =
      "By=spiffe://cluster.local/ns/gw/sa/gw;Hash="
          + HASH
          + ";Subject=\"CN=good,O=meshguard\";URI=spiffe://cluster.local/ns/foo/sa/good"
          + ";DNS=good.foo.svc;DNS=good";
  private static final PeerIdentity NO_CERT =
      new PeerIdentity(null, false, "", List.of(), List.of(), "", List.of("spiffe://td/x"));
  private static final String SPOOFED = "By=spiffe://cluster.local/ns/x/sa/admin;URI=spiffe://evil";

  private static HttpHeaders withXfcc() {
    return new DefaultHttpHeaders().add(ForwardClientCert.HEADER, SPOOFED);
  }

  private static List<String> after(ForwardClientCert mode, PeerIdentity peer) {
    HttpHeaders h = withXfcc();
    mode.apply(h, peer);
    return h.getAll(ForwardClientCert.HEADER);
  }

  @Test
  void sanitizeRemovesWhatTheClientSentEvenOverMtls() {
    assertThat(after(ForwardClientCert.SANITIZE, MTLS)).isEmpty();
    assertThat(after(ForwardClientCert.SANITIZE, PeerIdentity.NONE)).isEmpty();
  }

  @Test
  void withoutAClientCertificateOnlyAlwaysForwardOnlyKeepsIt() {
    for (ForwardClientCert mode :
        List.of(
            ForwardClientCert.SANITIZE,
            ForwardClientCert.FORWARD_ONLY,
            ForwardClientCert.APPEND_FORWARD,
            ForwardClientCert.SANITIZE_SET)) {
      assertThat(after(mode, NO_CERT)).as(mode.name()).isEmpty();
      assertThat(after(mode, PeerIdentity.NONE)).as(mode.name()).isEmpty();
    }
    assertThat(after(ForwardClientCert.ALWAYS_FORWARD_ONLY, NO_CERT)).containsExactly(SPOOFED);
  }

  @Test
  void forwardOnlyKeepsTheClientsValueOverMtls() {
    assertThat(after(ForwardClientCert.FORWARD_ONLY, MTLS)).containsExactly(SPOOFED);
    assertThat(after(ForwardClientCert.ALWAYS_FORWARD_ONLY, MTLS)).containsExactly(SPOOFED);
  }

  @Test
  void sanitizeSetReplacesWithThisHop() {
    assertThat(after(ForwardClientCert.SANITIZE_SET, MTLS)).containsExactly(ELEMENT);
    HttpHeaders none = new DefaultHttpHeaders();
    ForwardClientCert.SANITIZE_SET.apply(none, MTLS);
    assertThat(none.getAll(ForwardClientCert.HEADER)).containsExactly(ELEMENT);
  }

  @Test
  void appendForwardAddsThisHopAfterACommaInOneHeader() {
    assertThat(after(ForwardClientCert.APPEND_FORWARD, MTLS))
        .containsExactly(SPOOFED + "," + ELEMENT);
    HttpHeaders two =
        new DefaultHttpHeaders()
            .add(ForwardClientCert.HEADER, "a")
            .add(ForwardClientCert.HEADER, "b");
    ForwardClientCert.APPEND_FORWARD.apply(two, MTLS);
    assertThat(two.getAll(ForwardClientCert.HEADER)).containsExactly("a,b," + ELEMENT);
    HttpHeaders none = new DefaultHttpHeaders();
    ForwardClientCert.APPEND_FORWARD.apply(none, MTLS);
    assertThat(none.getAll(ForwardClientCert.HEADER)).containsExactly(ELEMENT);
  }

  @Test
  void elementKeepsSubjectAndUriKeysWhenEmptyAndOmitsByHashDnsWhenAbsent() {
    PeerIdentity bare = new PeerIdentity(null, true, "", List.of(), List.of(), "", List.of());
    assertThat(ClientCertElement.format(bare)).isEqualTo("Subject=\"\";URI=");
    PeerIdentity twoUris =
        new PeerIdentity(
            "td/a",
            true,
            "CN=x",
            List.of("spiffe://td/a", "spiffe://td/b"),
            List.of(),
            "00",
            List.of("spiffe://me", "spiffe://me2"));
    assertThat(ClientCertElement.format(twoUris))
        .isEqualTo(
            "By=spiffe://me;By=spiffe://me2;Hash=00;Subject=\"CN=x\";URI=spiffe://td/a;URI=spiffe://td/b");
  }

  @Test
  void flagValues() {
    assertThat(ForwardClientCert.parse("sanitize")).isEqualTo(ForwardClientCert.SANITIZE);
    assertThat(ForwardClientCert.parse("forward-only")).isEqualTo(ForwardClientCert.FORWARD_ONLY);
    assertThat(ForwardClientCert.parse("append-forward"))
        .isEqualTo(ForwardClientCert.APPEND_FORWARD);
    assertThat(ForwardClientCert.parse("sanitize-set")).isEqualTo(ForwardClientCert.SANITIZE_SET);
    assertThat(ForwardClientCert.parse("always-forward-only"))
        .isEqualTo(ForwardClientCert.ALWAYS_FORWARD_ONLY);
    assertThatThrownBy(() -> ForwardClientCert.parse("SANITIZE"))
        .hasMessageContaining("`SANITIZE` is not one of");
  }
}
