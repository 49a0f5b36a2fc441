package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Security history rows 1, 6, 10, 12 and 13 (`peers-and-security.md` section 4) through the real
 * `serve`, in every path normalization mode: `serve` and `check` give the same decision, and when a
 * request is forwarded, the path the upstream gets is the path that was evaluated.
 */
class PathBypassIT {
  enum Mode {
    NONE,
    BASE,
    MERGE_SLASHES,
    DECODE_AND_MERGE_SLASHES
  }

  /**
   * One request of the matrix, with the answer known for certain (0: compare with check only), and
   * the answer under NONE where it differs: Envoy without `normalize_path` forwards dot segments
   * and `%00` as received (Istio's documented risk of that mode).
   */
  record Probe(String row, String target, String host, int certain, int underNone) {
    Probe(String row, String target, String host, int certain) {
      this(row, target, host, certain, certain);
    }

    int expected(Mode mode) {
      return mode == Mode.NONE ? underNone : certain;
    }
  }

  private static final List<Probe> PROBES =
      List.of(
          new Probe("1", "/admin", "shop", 403),
          new Probe("1", "/public/../admin", "shop", 403, 200),
          new Probe("1", "/./admin", "shop", 403, 200),
          new Probe("1", "/admin/.", "shop", 403),
          new Probe("1", "/public/..%2e/admin", "shop", 0),
          new Probe("10", "//admin", "shop", 0),
          new Probe("10", "/%2Fadmin", "shop", 0),
          new Probe("10", "/a/..%2Fadmin", "shop", 0),
          new Probe("10", "/\\admin", "shop", 0),
          new Probe("10", "/%5Cadmin", "shop", 0),
          new Probe("10", "/%61dmin", "shop", 0),
          // Envoy rejects %00 only while canonicalising (normalize_path), which NONE turns off:
          // the path is forwarded as received (known-divergences: "surprising but Istio's")
          new Probe("10", "/admin%00", "shop", 400, 200),
          new Probe("10", "/admin/x", "shop", 403),
          new Probe("12", "/user/profile#x", "shop", 403),
          new Probe("12", "/user/profile", "shop", 403),
          new Probe("6", "/secure", "shop", 403),
          new Probe("6", "/secure?x=1", "shop", 403),
          new Probe("6", "/secure#a", "shop", 403),
          new Probe("6", "/secure;x", "shop", 0),
          new Probe("13", "/x", "secret.com", 403),
          new Probe("13", "/x", "SECRET.com", 0),
          new Probe("13", "/x", "secret.com:80", 0),
          new Probe("13", "/x", "secret.com.", 0),
          new Probe("-", "/public/ok", "shop", 200));

  @TempDir static Path dir;
  private static Path config;
  private static RawUpstream upstream;
  private static final Map<Mode, MeshguardProcess> servers = new EnumMap<>(Mode.class);
  private static final Map<Mode, Path> meshConfigs = new EnumMap<>(Mode.class);

  @BeforeAll
  static void start() throws Exception {
    config = dir.resolve("bypass.yaml");
    Files.writeString(
        config,
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-admin, namespace: default}
        spec:
          action: DENY
          rules:
          - to:
            - operation:
                paths: ["/admin", "/admin/*"]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-profile, namespace: default}
        spec:
          action: DENY
          rules:
          - to:
            - operation:
                paths: ["/user/profile"]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-secret-host, namespace: default}
        spec:
          action: DENY
          rules:
          - to:
            - operation:
                hosts: ["secret.com"]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: secure-needs-token, namespace: default}
        spec:
          action: DENY
          rules:
          - from:
            - source:
                notRequestPrincipals: ["*"]
            to:
            - operation:
                paths: ["/secure"]
        """);
    upstream = new RawUpstream();
    for (Mode mode : Mode.values()) {
      Path mesh = dir.resolve("mesh-" + mode + ".yaml");
      Files.writeString(mesh, "pathNormalization:\n  normalization: " + mode + "\n");
      meshConfigs.put(mode, mesh);
      servers.put(
          mode,
          MeshguardProcess.start(
              "serve",
              "--config",
              config.toString(),
              "--mesh-config",
              mesh.toString(),
              "--upstream",
              upstream.url(),
              "--listen",
              "127.0.0.1:0",
              "--access-log",
              "off"));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (MeshguardProcess p : servers.values()) {
      assertThat(p.terminate()).isZero();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void serveAndCheckAgreeAndTheEvaluatedPathIsTheForwardedPath(Mode mode) throws Exception {
    InetSocketAddress proxy = servers.get(mode).listenAddress();
    for (Probe probe : PROBES) {
      upstream.requestLines.clear();
      RawHttp.Response served =
          RawHttp.exchange(
              proxy, "GET " + probe.target() + " HTTP/1.1\r\nHost: " + probe.host() + "\r\n\r\n");
      JsonNode checked =
          InProcessCheck.run(
              "check",
              "--config",
              config.toString(),
              "--mesh-config",
              meshConfigs.get(mode).toString(),
              "--path",
              probe.target(),
              "--host",
              probe.host(),
              "--json");
      String what = "row " + probe.row() + " " + probe.host() + probe.target() + " in " + mode;
      assertThat(served.status())
          .as(what + " serve vs check")
          .isEqualTo(checked.get("status").asInt());
      if (probe.expected(mode) != 0) {
        assertThat(served.status()).as(what).isEqualTo(probe.expected(mode));
      }
      String forwarded =
          upstream.requestLines.poll(served.status() == 200 ? 10 : 0, TimeUnit.SECONDS);
      if (served.status() == 200) {
        assertThat(forwarded).as(what + " forwarded").isNotNull();
        assertThat(RawUpstream.target(forwarded))
            .as(what + ": forwarded path is the evaluated path")
            .isEqualTo(checked.get("upstream").get("path").asText());
        assertThat(RawUpstream.target(forwarded)).doesNotContain("#");
      } else {
        assertThat(forwarded).as(what + " not forwarded").isNull();
      }
    }
  }
}
