package dev.meshguard.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle every front end shares, without a front end: the configuration is in force at
 * start, the admin listener and the watcher start only when the front end opens the runtime, and
 * closing stops the admin listener.
 */
class MeshguardRuntimeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newHttpClient();

  private HttpResponse<String> get(InetSocketAddress admin, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void write(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static MeshguardRuntime start(LiveConfigTest.FileLoader loader, Duration poll) {
    return MeshguardRuntime.start(
        loader,
        loader.load(),
        new MeshguardRuntime.Settings(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            poll,
            Map.of("shared", "yes"),
            null,
            null,
            null),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  @Test
  void adminAndWatchingStartWhenTheFrontEndOpens(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policies.yaml");
    write(file, "ok 1");
    LiveConfigTest.FileLoader loader = new LiveConfigTest.FileLoader(file);
    AtomicBoolean draining = new AtomicBoolean();
    MeshguardRuntime runtime = start(loader, Duration.ofMillis(50));
    try {
      assertThat(runtime.config().findings().get(0).message()).isEqualTo("ok 1");
      assertThat(runtime.adminAddress()).as("nothing listens before open").isNull();

      runtime.open(Map.of("listen", "front end"), draining::get);
      InetSocketAddress admin = runtime.adminAddress();
      assertThat(admin).isNotNull();
      assertThat(get(admin, "/healthz/ready").statusCode()).isEqualTo(200);
      JsonNode dump = JSON.readTree(get(admin, "/config_dump").body());
      assertThat(dump.get("listen").asText()).isEqualTo("front end");
      assertThat(dump.get("shared").asText()).isEqualTo("yes");

      write(file, "ok 2");
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!runtime.config().findings().get(0).message().equals("ok 2")) {
        assertThat(System.nanoTime()).as("the watcher never reloaded").isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(runtime.metrics().scrape())
          .contains("meshguard_config_reloads_total{result=\"success\"} 1.0");

      draining.set(true);
      assertThat(get(admin, "/healthz/ready").statusCode()).isEqualTo(503);

      runtime.close();
      assertThat(runtime.adminAddress()).isNull();
      assertThatThrownBy(() -> get(admin, "/healthz/ready")).isInstanceOf(ConnectException.class);
    } finally {
      runtime.close();
    }
  }

  @Test
  void withoutAnAdminAddressOrPollingNothingListensOrWatches(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policies.yaml");
    write(file, "ok 1");
    LiveConfigTest.FileLoader loader = new LiveConfigTest.FileLoader(file);
    try (MeshguardRuntime runtime =
        MeshguardRuntime.start(
            loader,
            loader.load(),
            new MeshguardRuntime.Settings(null, null, Map.of(), null, null, null),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
      runtime.open(Map.of(), () -> false);
      assertThat(runtime.adminAddress()).isNull();
      int loads = loader.loads.get();
      write(file, "ok 2");
      Thread.sleep(300);
      assertThat(loader.loads.get()).isEqualTo(loads);
    }
  }
}
