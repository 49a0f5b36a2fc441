package dev.meshguard.jwks;

import static dev.meshguard.jwks.MeshConfig.config;
import static dev.meshguard.jwks.MeshConfig.destinationRule;
import static dev.meshguard.jwks.MeshConfig.endpoint;
import static dev.meshguard.jwks.MeshConfig.port;
import static dev.meshguard.jwks.MeshConfig.serviceEntry;
import static dev.meshguard.jwks.MeshConfig.simpleTls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshguard.jwks.JwksServer.Reply;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.DestinationRule;
import dev.meshguard.policy.ServiceEntry;
import dev.meshguard.testing.MeshCa;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS towards a JWKS endpoint reached the way the FAQ's external example is: a ServiceEntry maps
 * `jwks.example.com` to a STATIC loopback endpoint, and a DestinationRule originates TLS with a CA
 * made at test time, SNI and subject alt names.
 */
class TlsFetchTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String HOST = "jwks.example.com";
  private static final RemoteJwksOptions OPTIONS = RemoteJwksOptions.defaults();

  @TempDir static Path dir;
  private static JwksServer server;
  private static Path caFile;
  private static Path otherCaFile;

  private final HttpFetcher fetcher =
      new HttpFetcher(AddressPolicy.of(OPTIONS), InetAddress::getAllByName);

  @BeforeAll
  static void startServer() throws Exception {
    MeshCa pki = MeshCa.create("meshguard test ca");
    caFile = pki.writeCaPem(dir);
    otherCaFile = MeshCa.create("someone else's ca").writeCaPem(dir);
    MeshCa.Issued cert = pki.issueServer(List.of(HOST), List.of("127.0.0.1"));
    server = JwksServer.https(cert.serverContext());
    server.on("/jwks", Reply.ok("{\"keys\":[]}"));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static ServiceEntry staticEntry() {
    return serviceEntry(
        "jwks",
        List.of(HOST),
        List.of(),
        List.of(port(443, "HTTPS", "https")),
        "STATIC",
        List.of(endpoint("127.0.0.1", Map.of("https", server.port()))));
  }

  private static ConfigSet configWith(DestinationRule.ClientTls tls) {
    return config(List.of(staticEntry()), List.of(destinationRule(HOST, 443, tls)));
  }

  private HttpFetcher.Response get(ConfigSet config, String url) throws FetchException {
    Route route = new RouteResolver(config, OPTIONS).resolve(url);
    return fetcher.get(route, TIMEOUT, 1024);
  }

  @Test
  void verifiesWithTheDestinationRuleCaSniAndSan() throws Exception {
    int before = server.requests();
    ConfigSet config = configWith(simpleTls(caFile.toString(), HOST, List.of(HOST), false));
    assertThat(get(config, "https://" + HOST + "/jwks").status()).isEqualTo(200);
    assertThat(server.requests()).isEqualTo(before + 1);
    assertThat(server.serverNames()).last().isEqualTo(HOST);
    assertThat(server.hosts()).last().isEqualTo(HOST);
  }

  @Test
  void originatesTlsForPlainHttpOnPort443AsIstioDoes() throws Exception {
    ConfigSet config = configWith(simpleTls(caFile.toString(), null, List.of(), false));
    assertThat(get(config, "http://" + HOST + ":443/jwks").status()).isEqualTo(200);
    assertThat(server.serverNames()).last().isEqualTo(HOST);
  }

  @Test
  void subjectAltNamesMayNameAnIpAddress() throws Exception {
    ConfigSet config = configWith(simpleTls(caFile.toString(), null, List.of("127.0.0.1"), false));
    assertThat(get(config, "https://" + HOST + "/jwks").status()).isEqualTo(200);
  }

  @Test
  void anIpUrlVerifiesTheIpAndSendsNoSni() throws Exception {
    ServiceEntry ipEntry =
        serviceEntry(
            "ip",
            List.of("127.0.0.1"),
            List.of("127.0.0.1"),
            List.of(port(443, "HTTPS", "https")),
            "STATIC",
            List.of(endpoint("127.0.0.1", Map.of("https", server.port()))));
    ConfigSet config =
        config(
            List.of(ipEntry),
            List.of(
                destinationRule(
                    "127.0.0.1", 443, simpleTls(caFile.toString(), null, List.of(), false))));
    assertThat(get(config, "https://127.0.0.1/jwks").status()).isEqualTo(200);
    assertThat(server.serverNames()).last().isEqualTo("");
  }

  @Test
  void wrongCaFailsBeforeAnyRequestIsSent() {
    int before = server.requests();
    ConfigSet config = configWith(simpleTls(otherCaFile.toString(), HOST, List.of(), false));
    assertThatThrownBy(() -> get(config, "https://" + HOST + "/jwks"))
        .isInstanceOf(FetchException.class)
        .hasMessageStartingWith("tls handshake with 127.0.0.1:");
    assertThat(server.requests()).isEqualTo(before);
  }

  @Test
  void noCaMeansTheJvmTrustStoreWhichDoesNotKnowTheTestCa() {
    int before = server.requests();
    ConfigSet config = config(List.of(staticEntry()), List.of());
    assertThatThrownBy(() -> get(config, "https://" + HOST + "/jwks"))
        .isInstanceOf(FetchException.class)
        .hasMessageStartingWith("tls handshake");
    assertThat(server.requests()).isEqualTo(before);
  }

  @Test
  void wrongSubjectAltNameFailsBeforeAnyRequestIsSent() {
    int before = server.requests();
    ConfigSet config =
        configWith(simpleTls(caFile.toString(), HOST, List.of("other.example.com"), false));
    assertThatThrownBy(() -> get(config, "https://" + HOST + "/jwks"))
        .isInstanceOf(FetchException.class)
        .hasMessageContaining("carries none of subjectAltNames [other.example.com]");
    assertThat(server.requests()).isEqualTo(before);
  }

  @Test
  void certificateMustMatchTheSniNameWhenNoSubjectAltNamesAreGiven() {
    int before = server.requests();
    ConfigSet config =
        configWith(simpleTls(caFile.toString(), "wrong.example.com", List.of(), false));
    assertThatThrownBy(() -> get(config, "https://" + HOST + "/jwks"))
        .isInstanceOf(FetchException.class)
        .hasMessageStartingWith("tls handshake");
    assertThat(server.requests()).isEqualTo(before);
  }

  @Test
  void insecureSkipVerifyAcceptsAnyCertificate() throws Exception {
    ConfigSet config =
        configWith(simpleTls(otherCaFile.toString(), "wrong.example.com", List.of(), true));
    assertThat(get(config, "https://" + HOST + "/jwks").status()).isEqualTo(200);
  }

  @Test
  void unreadableCaFileIsAFailure() {
    ConfigSet config =
        configWith(simpleTls(dir.resolve("missing.pem").toString(), null, List.of(), false));
    assertThatThrownBy(() -> get(config, "https://" + HOST + "/jwks"))
        .isInstanceOf(FetchException.class)
        .hasMessageContaining("cannot be read");
  }

  @Test
  void plainHttpToATlsPortFails() {
    ConfigSet config = config(List.of(staticEntry()), List.of());
    assertThatThrownBy(() -> get(config, "http://" + HOST + ":443/jwks"))
        .isInstanceOf(FetchException.class);
  }
}
