package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload through the real `serve`: configuration changes under steady traffic fail no request;
 * an invalid change is reported (stderr, metric, `/config_dump`) and the last good one stays; the
 * admin endpoints show it all.
 */
class ServeReloadIT {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static String denying(String path) {
    return """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: deny-one-path
          namespace: default
        spec:
          action: DENY
          rules:
          - to:
            - operation:
                paths: ["%s"]
        """
        .formatted(path);
  }

  private static void write(Path file, String text) throws Exception {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static int status(InetSocketAddress to, String path) throws Exception {
    return CLIENT
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.getPort() + path)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static String body(InetSocketAddress to, String path) throws Exception {
    return CLIENT
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.getPort() + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Waits until {@code path} answers {@code expected}: the reload has happened. */
  private static void awaitStatus(InetSocketAddress to, String path, int expected)
      throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (status(to, path) != expected) {
      assertThat(System.nanoTime()).as(path + " never answered " + expected).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void reloadsUnderLoadWithoutFailingARequestAndKeepsTheLastGoodConfiguration(@TempDir Path dir)
      throws Exception {
    Path config = dir.resolve("policy.yaml");
    write(config, denying("/blocked-a"));
    try (EchoUpstream upstream = new EchoUpstream();
        MeshguardProcess serve =
            MeshguardProcess.start(
                "serve",
                "--config",
                dir.toString(),
                "--upstream",
                upstream.url(),
                "--listen",
                "127.0.0.1:0",
                "--admin",
                "127.0.0.1:0",
                "--reload-poll-interval",
                "200ms",
                "--access-log",
                "off")) {
      InetSocketAddress proxy = serve.listenAddress();
      InetSocketAddress admin = serve.adminAddress();
      assertThat(status(admin, "/healthz/ready")).isEqualTo(200);
      assertThat(status(proxy, "/blocked-a")).isEqualTo(403);

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong ok = new AtomicLong();
      List<String> failures = new CopyOnWriteArrayList<>();
      List<Thread> load = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Thread t =
            new Thread(
                () -> {
                  HttpClient own =
                      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                  while (running.get()) {
                    try {
                      int s =
                          own.send(
                                  HttpRequest.newBuilder(
                                          URI.create(
                                              "http://127.0.0.1:" + proxy.getPort() + "/steady"))
                                      .build(),
                                  HttpResponse.BodyHandlers.discarding())
                              .statusCode();
                      if (s == 200) {
                        ok.incrementAndGet();
                      } else {
                        failures.add("status " + s);
                      }
                    } catch (Exception e) {
                      failures.add(e.toString());
                    }
                  }
                });
        t.start();
        load.add(t);
      }

      for (int round = 0; round < 3; round++) {
        write(config, denying("/blocked-b"));
        awaitStatus(proxy, "/blocked-b", 403);
        assertThat(status(proxy, "/blocked-a")).isEqualTo(200);
        write(config, denying("/blocked-a"));
        awaitStatus(proxy, "/blocked-a", 403);
        assertThat(status(proxy, "/blocked-b")).isEqualTo(200);
      }

      // an invalid change: reported, and the configuration in force stays
      write(config, denying("/blocked-b") + "          bogusField: 1\n");
      serve.awaitStderr(l -> l.contains("reload rejected, keeping the previous configuration"));
      assertThat(status(proxy, "/blocked-a")).isEqualTo(403);
      JsonNode dump = EchoUpstream.JSON.readTree(body(admin, "/config_dump"));
      assertThat(dump.get("last_reload_error").get("errors").toString()).contains("policy.yaml");
      assertThat(dump.get("last_reload").get("ok").asBoolean()).isFalse();
      assertThat(dump.get("config").get("workload").get("namespace").asText()).isEqualTo("default");
      assertThat(dump.get("upstream").asText()).isEqualTo(upstream.url());
      String metrics = body(admin, "/stats/prometheus");
      assertThat(metrics)
          .contains("meshguard_config_reloads_total{result=\"error\"} 1.0")
          .contains("meshguard_config_reloads_total{result=\"success\"} 6.0")
          .contains(
              "meshguard_requests_total{outcome=\"DENIED_AUTHORIZATION\",policy=\"default/deny-one-path\",status=\"403\"}")
          .contains("meshguard_request_duration_seconds_bucket");

      running.set(false);
      for (Thread t : load) {
        t.join(30_000);
      }
      assertThat(failures).as("requests failed during reloads").isEmpty();
      assertThat(ok.get()).isPositive();

      // fixing the file brings reloading back
      write(config, denying("/blocked-c"));
      awaitStatus(proxy, "/blocked-c", 403);
      assertThat(serve.terminate()).isZero();
    }
  }
}
