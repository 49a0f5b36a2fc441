package dev.meshguard.jwks;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import dev.meshguard.jwks.JwksServer.Reply;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwksSource.KeySetLookup;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.JwtRule;
import dev.meshguard.testing.MeshCa;
import dev.meshguard.testing.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FAQ's jwksUri scenarios (testdata/seed-bookinfo), read by the real configuration loader. The
 * external endpoint's address 11.11.0.1 becomes loopback, as the seed README says tests do.
 */
class SeedScenarioTest {
  private static final String ISSUER = "testing@secure.istio.io";

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-09-01T10:00:00Z"));
  private final ManualScheduler scheduler = ManualScheduler.inline(clock);
  private final ECKey key = TestKeys.key("seed-key");
  private final ECKey otherKey = TestKeys.key("seed-key"); // same kid, another key
  private JwksServer server;
  private Path caFile;
  private RemoteJwksSources sources;

  @BeforeEach
  void start() throws Exception {
    MeshCa pki = MeshCa.create("external endpoint ca");
    server = JwksServer.https(pki.issueServer(List.of(), List.of("127.0.0.1")).serverContext());
    server.on("/get_jwks", Reply.ok(TestKeys.jwks(key)));
    caFile = pki.writeCaPem(dir);
    sources =
        new RemoteJwksSources(
            RemoteJwksOptions.defaults(),
            clock,
            scheduler,
            false,
            host -> {
              throw new UnknownHostException(host); // no cluster DNS here
            });
  }

  @AfterEach
  void stop() {
    sources.close();
    server.close();
  }

  private static String seed(String name) throws IOException {
    try (InputStream in = SeedScenarioTest.class.getResourceAsStream("/policy/seed/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static JwtRule onlyRule(ConfigSet config) {
    assertThat(config.requestAuthentications()).hasSize(1);
    List<JwtRule> rules = config.requestAuthentications().get(0).jwtRules();
    assertThat(rules).hasSize(1);
    return rules.get(0);
  }

  @Test
  void externalEndpointThroughStaticServiceEntryAndTlsOriginatingDestinationRule()
      throws IOException {
    String yaml =
        seed("external-jwksuri.yaml")
            .replace("11.11.0.1", "127.0.0.1")
            .replace(
                "  - address: 127.0.0.1\n",
                "  - address: 127.0.0.1\n    ports:\n      https: " + server.port() + "\n")
            .replace(
                "        mode: SIMPLE\n",
                "        mode: SIMPLE\n        caCertificates: " + caFile + "\n");
    ConfigSet config = ConfigLoader.loadString(yaml, "external-jwksuri.yaml");
    assertThat(config.hasErrors()).isFalse();
    JwtRule rule = onlyRule(config);

    JwksSource source = sources.remote(rule, config);
    KeySetLookup lookup = source.current();
    assertThat(lookup.ok()).isTrue();
    assertThat(server.requests()).isEqualTo(1);
    assertThat(server.serverNames()).containsExactly(""); // an IP: no SNI
    assertThat(TestKeys.verifies(lookup.keys(), TestKeys.token(key, ISSUER))).isTrue();
    assertThat(TestKeys.verifies(lookup.keys(), TestKeys.token(otherKey, ISSUER))).isFalse();
    assertThat(source.description())
        .startsWith(
            "jwksUri `https://127.0.0.1/get_jwks` via serviceentry `foo/external-svc-https`")
        .contains("tls from destinationrule `foo/external-svc-https`");
  }

  @Test
  void externalEndpointWithoutCaCertificatesIsNotTrusted() throws IOException {
    // The seed as written trusts only the JVM's CAs; the test CA is not one of them.
    String yaml =
        seed("external-jwksuri.yaml")
            .replace("11.11.0.1", "127.0.0.1")
            .replace(
                "  - address: 127.0.0.1\n",
                "  - address: 127.0.0.1\n    ports:\n      https: " + server.port() + "\n");
    ConfigSet config = ConfigLoader.loadString(yaml, "external-jwksuri.yaml");
    KeySetLookup lookup = sources.remote(onlyRule(config), config).current();
    assertThat(lookup.keys()).isNull();
    assertThat(lookup.failure()).isEqualTo(JwtStatus.JWKS_FETCH_FAIL);
    assertThat(server.requests()).isZero();
  }

  @Test
  void inClusterEndpointThatCannotBeReachedFailsTokensWithFetchFailed() throws IOException {
    ConfigSet config =
        ConfigLoader.loadString(seed("sidecar-jwksuri.yaml"), "sidecar-jwksuri.yaml");
    JwtRule rule = onlyRule(config);
    assertThat(rule.jwksUri()).isEqualTo("http://nginx-proxy.foo.svc.cluster.local:80/get_jwks");
    KeySetLookup lookup = sources.remote(rule, config).current();
    assertThat(lookup.keys()).isNull();
    assertThat(lookup.failure().message()).isEqualTo("Jwks remote fetch is failed");
    assertThat(lookup.detail())
        .contains("host `nginx-proxy.foo.svc.cluster.local` does not resolve");
  }
}
