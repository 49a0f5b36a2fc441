package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshguard.cli.EnvoyCheck.Headers;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `extauthz` with keys from real JWKS endpoints on loopback shows their health as `serve` does:
 * `/healthz/ready`, `/config_dump` and the `meshguard_jwks_*` series; and a reload that removes a
 * rule drops its source from all three while the kept source keeps its keys without refetching.
 */
class ExtAuthzRemoteKeysIT {
  private static final String KEPT = "https://kept.meshguard.test";
  private static final String REMOVED = "https://removed.meshguard.test";
  private static final long GUARD_NANOS = TimeUnit.SECONDS.toNanos(60);

  @TempDir Path dir;

  private static String configuration(String rules) {
    return """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: jwt
          namespace: default
        spec:
          jwtRules:
        %s---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: token-required
          namespace: default
        spec:
          action: ALLOW
          rules:
          - from:
            - source:
                requestPrincipals: ["*"]
        """
        .formatted(rules.indent(2));
  }

  private static String rule(String issuer, String uri) {
    return "- issuer: %s\n  jwksUri: %s\n".formatted(issuer, uri);
  }

  private static void write(Path file, String text) throws Exception {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static CheckResponse check(AuthorizationGrpc.AuthorizationBlockingStub client, String t) {
    return client
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .check(
            new EnvoyCheck()
                .path("/api")
                .host("api.example.com")
                .header("authorization", "Bearer " + t)
                .build(Headers.MAP));
  }

  private static JsonNode source(JsonNode jwks, String issuer) {
    for (JsonNode s : jwks) {
      if (s.get("issuer").asText().equals(issuer)) {
        return s;
      }
    }
    throw new AssertionError("no source for " + issuer + " in " + jwks);
  }

  private static long reloads(MeshguardProcess p) {
    return p.stderr.stream().filter(l -> l.equals("meshguard: configuration reloaded")).count();
  }

  @Test
  void keyHealthShowsAndReloadsKeepOnlyTheSourcesInForce() throws Exception {
    TestTokens keys = new TestTokens();
    Path file = dir.resolve("jwt.yaml");
    try (JwksEndpoint keptIdp = new JwksEndpoint().serve(keys.jwks("kept-1"));
        JwksEndpoint removedIdp = new JwksEndpoint().fail(503)) {
      String keptRule = rule(KEPT, keptIdp.url());
      write(file, configuration(keptRule + rule(REMOVED, removedIdp.url())));
      try (MeshguardProcess extauthz =
          MeshguardProcess.start(
              "extauthz",
              "--config",
              file.toString(),
              "--listen",
              "127.0.0.1:0",
              "--admin",
              "127.0.0.1:0",
              "--reload-poll-interval",
              "200ms")) {
        ManagedChannel channel =
            NettyChannelBuilder.forAddress(extauthz.listenAddress()).usePlaintext().build();
        try {
          AuthorizationGrpc.AuthorizationBlockingStub client =
              AuthorizationGrpc.newBlockingStub(channel);
          AdminEndpoint admin = new AdminEndpoint(extauthz.adminAddress());
          String token = keys.sign("kept-1", keys.claims().issuer(KEPT).subject("alice").build());
          CheckResponse allowed = check(client, token);
          assertThat(allowed.getStatus().getCode()).as(allowed.toString()).isEqualTo(0);

          // both sources are reported once the failing one has answered its first fetch
          removedIdp.awaitFetches(1);
          long deadline = System.nanoTime() + GUARD_NANOS;
          JsonNode jwks = admin.ready().get("jwks");
          while (!source(jwks, REMOVED).get("status").asText().equals("FAILED")) {
            assertThat(System.nanoTime()).as("never FAILED: " + jwks).isLessThan(deadline);
            Thread.sleep(20);
            jwks = admin.ready().get("jwks");
          }
          assertThat(jwks).hasSize(2);
          JsonNode kept = source(jwks, KEPT);
          assertThat(kept.get("uri").asText()).isEqualTo(keptIdp.url());
          assertThat(kept.get("status").asText()).isEqualTo("FRESH");
          assertThat(kept.get("keysLoaded").asInt()).isEqualTo(1);
          assertThat(kept.get("lastSuccess").asText()).isNotBlank();
          assertThat(source(jwks, REMOVED).get("lastError").asText()).isEqualTo("http status 503");
          assertThat(admin.configDump().get("jwks")).hasSize(2);

          String metrics = admin.prometheus();
          assertThat(AdminEndpoint.jwksMetric(metrics, "meshguard_jwks_up", KEPT, keptIdp.url()))
              .isEqualTo(1.0);
          assertThat(AdminEndpoint.jwksMetric(metrics, "meshguard_jwks_keys", KEPT, keptIdp.url()))
              .isEqualTo(1.0);
          assertThat(
                  AdminEndpoint.jwksMetric(metrics, "meshguard_jwks_up", REMOVED, removedIdp.url()))
              .isZero();
          assertThat(
                  AdminEndpoint.jwksMetric(
                      metrics, "meshguard_jwks_fetch_failures_total", REMOVED, removedIdp.url()))
              .isPositive();
          int keptFetches = keptIdp.fetches();

          long reloads = reloads(extauthz);
          write(file, configuration(keptRule));
          while (reloads(extauthz) == reloads) {
            assertThat(System.nanoTime())
                .as("no reload\n" + extauthz.transcript())
                .isLessThan(deadline);
            Thread.sleep(20);
          }
          assertThat(admin.ready().get("jwks"))
              .singleElement()
              .satisfies(s -> assertThat(s.get("issuer").asText()).isEqualTo(KEPT));
          assertThat(admin.configDump().get("jwks")).hasSize(1);
          assertThat(admin.prometheus())
              .doesNotContain("issuer=\"" + REMOVED + "\"")
              .contains("meshguard_jwks_up{issuer=\"" + KEPT + "\"");
          assertThat(check(client, token).getStatus().getCode()).isEqualTo(0);
          assertThat(keptIdp.fetches()).as("the kept source keeps its keys").isEqualTo(keptFetches);
        } finally {
          channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        assertThat(extauthz.terminate()).isZero();
      }
    }
  }
}
